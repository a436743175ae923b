// The queries of EventLog: history windows, point-in-time lookups, flag keys.
#include <rocksdb/db.h>
#include <rocksdb/slice.h>

#include <algorithm>

#include "events/event_log.h"
#include "events/log_keys.h"
#include "events/log_status.h"

namespace flagledger {

using namespace internal;

namespace {

// Iterates keys `prefix` + u64 sequence for sequences in the range, in the range's order.
template <typename OnKey>
Status IterateSequenceKeys(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
                           const std::string& prefix, const EventRange& range, OnKey on_key) {
  if (range.limit == 0 || range.after == EventRange::kEnd || range.before <= range.after + 1) {
    return Status::Ok();
  }
  std::string lower = prefix, upper = prefix;
  AppendBigEndian(lower, range.after + 1);
  AppendBigEndian(upper, range.before);  // exclusive
  rocksdb::Slice lower_bound(lower), upper_bound(upper);
  rocksdb::ReadOptions read_options;
  read_options.iterate_lower_bound = &lower_bound;
  read_options.iterate_upper_bound = &upper_bound;
  if (range.limit == std::numeric_limits<std::size_t>::max()) {  // a bulk scan (rebuild, verify)
    read_options.readahead_size = 4 << 20;
    read_options.fill_cache = false;  // it would evict the blocks point-in-time reads use
  }
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options, family));
  std::size_t visited = 0;
  for (range.descending ? it->SeekToLast() : it->SeekToFirst();
       it->Valid() && visited < range.limit; range.descending ? it->Prev() : it->Next()) {
    std::string_view key = it->key().ToStringView();
    ++visited;
    if (!on_key(ReadBigEndian(key.substr(key.size() - 8)), it->value().ToStringView())) break;
  }
  if (!it->status().ok()) return StorageError("cannot read the event log", it->status());
  return Status::Ok();
}

}  // namespace

EventRange EventLog::Visible(const EventRange& range) const {
  EventRange visible = range;
  std::uint64_t last = last_sequence();
  if (visible.before > last) visible.before = last + 1;
  return visible;
}

Status EventLog::Scan(const EventRange& range, const EventVisitor& visit) const {
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  return IterateSequenceKeys(
      db_.get(), Family(ColumnFamily::kEvents), "", Visible(range),
      [&](std::uint64_t sequence, std::string_view json) { return visit(sequence, json); });
}

Status EventLog::ScanIndex(ColumnFamily family, const std::string& prefix, const EventRange& range,
                           const EventVisitor& visit) const {
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  // Taken under the lock, which the visitor below runs within.
  rocksdb::DB* db = db_.get();
  rocksdb::ColumnFamilyHandle* events = Family(ColumnFamily::kEvents);
  Status failure;
  Status scanned = IterateSequenceKeys(
      db, Family(family), prefix, Visible(range), [&](std::uint64_t sequence, std::string_view) {
        std::string json;
        rocksdb::Status status =
            db->Get(rocksdb::ReadOptions(), events, SequenceKey(sequence), &json);
        if (!status.ok()) {
          failure = status.IsNotFound()
                        ? Status(ErrorCode::kInternal,
                                 "an index names the missing event " + std::to_string(sequence))
                        : StorageError("cannot read an event", status);
          return false;
        }
        return visit(sequence, json);
      });
  return scanned.ok() ? failure : scanned;
}

Status EventLog::ScanOrganization(std::string_view organization_id, const EventRange& range,
                                  const EventVisitor& visit) const {
  return ScanIndex(ColumnFamily::kOrgEvents, OrgEventsPrefix(organization_id), range, visit);
}

Status EventLog::ScanFlag(std::string_view organization_id, std::string_view flag_key,
                          const EventRange& range, const EventVisitor& visit) const {
  return ScanIndex(ColumnFamily::kFlagEvents, FlagEventsPrefix(organization_id, flag_key), range,
                   visit);
}

Result<std::uint64_t> EventLog::SequenceAt(Timestamp time) const {
  // The newest time_index key <= (time, max sequence): recorded_at never decreases along the
  // sequence, so it carries the newest sequence recorded at or before `time`.
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  std::string target = TimeIndexKey(time, EventRange::kEnd);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), Family(ColumnFamily::kTimeIndex)));
  it->SeekForPrev(target);
  if (it->Valid()) {
    return std::min(ReadBigEndian(it->key().ToStringView().substr(8)), last_sequence());
  }
  if (!it->status().ok()) return StorageError("cannot read the time index", it->status());
  return std::uint64_t{0};
}

Result<std::optional<std::string>> EventLog::FlagEventAt(std::string_view organization_id,
                                                         std::string_view flag_key,
                                                         std::uint64_t at) const {
  std::optional<std::string> found;
  EventRange newest_first;
  newest_first.before = at == EventRange::kEnd ? at : at + 1;
  newest_first.descending = true;
  newest_first.limit = 1;
  Status scanned =
      ScanFlag(organization_id, flag_key, newest_first, [&](std::uint64_t, std::string_view json) {
        found = std::string(json);
        return false;
      });
  if (!scanned.ok()) return scanned;
  return found;
}

Status EventLog::ForEachFlagKey(std::string_view organization_id,
                                const std::function<bool(std::string_view)>& visit,
                                std::string_view key_prefix) const {
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  std::string org_prefix = OrgEventsPrefix(organization_id);
  std::string prefix = org_prefix + std::string(key_prefix);
  std::string end = PrefixEnd(prefix);
  rocksdb::Slice upper_bound(end);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(read_options, Family(ColumnFamily::kFlagEvents)));
  it->Seek(prefix);
  while (it->Valid()) {
    std::string_view key = it->key().ToStringView().substr(org_prefix.size());
    std::string_view flag_key = key.substr(0, key.find('\0'));
    if (!visit(flag_key)) return Status::Ok();
    // Skip the rest of this key's stream: the next key sorts after flag_key + '\1'.
    std::string next = org_prefix;
    next.append(flag_key).push_back('\1');
    it->Seek(next);
  }
  if (!it->status().ok()) return StorageError("cannot read the flag index", it->status());
  return Status::Ok();
}

}  // namespace flagledger

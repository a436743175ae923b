// The queries of EventLog: history windows, point-in-time lookups, flag keys.
#include <rocksdb/db.h>
#include <rocksdb/slice.h>

#include <algorithm>
#include <optional>

#include "events/event_log.h"
#include "events/event_lookup.h"
#include "events/log_keys.h"
#include "events/log_status.h"

namespace flagledger {

using namespace internal;

EventRange EventLog::Visible(const EventRange& range) const {
  EventRange visible = range;
  std::uint64_t last = last_sequence();
  if (visible.before > last) visible.before = last + 1;
  return visible;
}

Status EventLog::Scan(const EventRange& range, const EventVisitor& visit) const {
  return Query(EventFilter{}, range, visit);
}

Status EventLog::ScanOrganization(std::string_view organization_id, const EventRange& range,
                                  const EventVisitor& visit) const {
  EventFilter filter;
  filter.organization_id = std::string(organization_id);
  return Query(filter, range, visit);
}

Status EventLog::ScanFlag(std::string_view organization_id, std::string_view flag_key,
                          const EventRange& range, const EventVisitor& visit) const {
  EventFilter filter;
  filter.organization_id = std::string(organization_id);
  filter.flag_key = std::string(flag_key);
  return Query(filter, range, visit);
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

Status EventLog::ForEachFlagStreamAt(
    std::string_view organization_id, std::span<const std::uint64_t> points,
    std::string_view after_key,
    const std::function<bool(std::string_view, std::span<const std::uint64_t>)>& visit) const {
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  const std::uint64_t last = last_sequence();
  std::string org_prefix = OrgEventsPrefix(organization_id);
  std::string end = PrefixEnd(org_prefix);
  rocksdb::Slice lower_bound(org_prefix), upper_bound(end);
  rocksdb::ReadOptions read_options;
  read_options.iterate_lower_bound = &lower_bound;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(read_options, Family(ColumnFamily::kFlagEvents)));
  std::vector<std::uint64_t> newest(points.size());
  std::vector<std::size_t> order(points.size());  // points' indexes, largest point first
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return points[a] > points[b]; });
  std::string key_prefix, target = org_prefix;
  if (!after_key.empty()) {  // past after_key + '\0' + every sequence
    target.append(after_key);
    target.push_back('\1');
  }
  for (it->Seek(target); it->Valid();) {
    std::string_view rest = it->key().ToStringView().substr(org_prefix.size());
    std::string flag_key(rest.substr(0, rest.find('\0')));
    key_prefix = FlagEventsPrefix(organization_id, flag_key);
    bool any = false;
    // Largest point first: a smaller point at or after that answer has the same answer.
    std::optional<std::uint64_t> known;
    for (std::size_t i : order) {
      if (!known || *known > points[i]) {
        target = FlagEventsKey(organization_id, flag_key, std::min(points[i], last));
        it->SeekForPrev(target);
        known = it->Valid() && it->key().starts_with(key_prefix)
                    ? ReadBigEndian(it->key().ToStringView().substr(key_prefix.size()))
                    : 0;
      }
      newest[i] = *known;
      any = any || *known != 0;
    }
    if (any && !visit(flag_key, newest)) break;
    // The next key's stream: past flag_key + '\0' + every sequence.
    target = org_prefix + flag_key;
    target.push_back('\1');
    it->Seek(target);
  }
  if (!it->status().ok()) return StorageError("cannot read the flag index", it->status());
  return Status::Ok();
}

Result<std::vector<std::string>> EventLog::EventsAt(
    std::span<const std::uint64_t> sequences) const {
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  return ReadEvents(db_.get(), Family(ColumnFamily::kEvents), sequences);
}

}  // namespace flagledger

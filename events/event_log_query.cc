// EventLog::Query: filtered history walks over the log's indexes, several streams merged by
// sequence.
#include <rocksdb/db.h>
#include <rocksdb/slice.h>

#include <memory>
#include <vector>

#include "events/event_codec.h"
#include "events/event_log.h"
#include "events/event_lookup.h"
#include "events/log_keys.h"
#include "events/log_status.h"

namespace flagledger {

using namespace internal;

namespace {

// Above this many matching keys, a key prefix is filtered along the organization's stream
// rather than by merging each key's stream.
constexpr std::size_t kMaxMergedKeys = 64;
// Events looked up together from an index walk.
constexpr std::size_t kLookupBatch = 256;

// One index stream (keys `prefix` + u64 sequence) within a range of sequences, iterated in the
// range's order.
class StreamCursor {
 public:
  StreamCursor(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, const std::string& prefix,
               const EventRange& range)
      : lower_(prefix), upper_(prefix) {
    AppendBigEndian(lower_, range.after + 1);
    AppendBigEndian(upper_, range.before);  // exclusive
    lower_bound_ = rocksdb::Slice(lower_);
    upper_bound_ = rocksdb::Slice(upper_);
    rocksdb::ReadOptions read_options;
    read_options.iterate_lower_bound = &lower_bound_;
    read_options.iterate_upper_bound = &upper_bound_;
    if (range.limit == std::numeric_limits<std::size_t>::max()) {  // an export or a bulk walk
      read_options.readahead_size = 2 << 20;
      read_options.fill_cache = false;
    }
    it_.reset(db->NewIterator(read_options, family));
    descending_ = range.descending;
    descending_ ? it_->SeekToLast() : it_->SeekToFirst();
  }

  bool valid() const { return it_->Valid(); }
  std::uint64_t sequence() const {
    std::string_view key = it_->key().ToStringView();
    return ReadBigEndian(key.substr(key.size() - 8));
  }
  std::string_view value() const { return it_->value().ToStringView(); }
  void Advance() { descending_ ? it_->Prev() : it_->Next(); }
  rocksdb::Status status() const { return it_->status(); }

 private:
  std::string lower_, upper_;
  rocksdb::Slice lower_bound_, upper_bound_;  // the iterator points at these
  std::unique_ptr<rocksdb::Iterator> it_;
  bool descending_ = false;
};

}  // namespace

Status EventLog::Query(const EventFilter& filter, const EventRange& requested,
                       const EventVisitor& visit) const {
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  EventRange range = Visible(requested);
  if (range.limit == 0 || range.after == EventRange::kEnd || range.before <= range.after + 1) {
    return Status::Ok();
  }
  rocksdb::DB* db = db_.get();
  const std::string& org = filter.organization_id;
  const bool indexed = schema_ >= 3;

  // The streams to merge; `json_in_stream`: they are the events family itself.
  rocksdb::ColumnFamilyHandle* family = nullptr;
  std::vector<std::string> prefixes;
  bool json_in_stream = false;
  if (!filter.flag_key.empty()) {
    family = Family(ColumnFamily::kFlagEvents);
    prefixes.push_back(FlagEventsPrefix(org, filter.flag_key));
  } else if (indexed && !filter.actors.empty()) {
    family = Family(ColumnFamily::kAuditIndex);
    for (const std::string& actor : filter.actors) {
      prefixes.push_back(AuditPrefix(AuditKind::kActor, org, actor));
    }
  } else if (indexed && !filter.types.empty()) {
    family = Family(ColumnFamily::kAuditIndex);
    for (EventType type : filter.types) {
      prefixes.push_back(AuditPrefix(AuditKind::kType, org, EventTypeName(type)));
    }
  }
  if (!family && !filter.flag_key_prefix.empty()) {
    std::vector<std::string> keys;
    bool too_many = false;
    std::string prefix = OrgEventsPrefix(org) + filter.flag_key_prefix;
    std::string end = PrefixEnd(prefix);
    rocksdb::Slice upper_bound(end);
    rocksdb::ReadOptions read_options;
    read_options.iterate_upper_bound = &upper_bound;
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(read_options, Family(ColumnFamily::kFlagEvents)));
    for (it->Seek(prefix); it->Valid() && !too_many;) {
      std::string_view rest =
          it->key().ToStringView().substr(prefix.size() - filter.flag_key_prefix.size());
      std::string_view key = rest.substr(0, rest.find('\0'));
      keys.emplace_back(key);
      too_many = keys.size() > kMaxMergedKeys;
      std::string next = OrgEventsPrefix(org);
      next.append(key).push_back('\1');
      it->Seek(next);
    }
    if (!it->status().ok()) return StorageError("cannot read the flag index", it->status());
    if (keys.empty()) return Status::Ok();
    if (!too_many) {
      family = Family(ColumnFamily::kFlagEvents);
      for (const std::string& key : keys) prefixes.push_back(FlagEventsPrefix(org, key));
    }
  }
  if (!family && !org.empty()) {
    family = Family(ColumnFamily::kOrgEvents);
    prefixes.push_back(OrgEventsPrefix(org));
  } else if (!family) {
    family = Family(ColumnFamily::kEvents);
    prefixes.emplace_back();
    json_in_stream = true;
  }
  // What the chosen streams do not already guarantee is checked on each event.
  EventFilter residual = filter;
  residual.organization_id.clear();
  if (family == Family(ColumnFamily::kFlagEvents)) {
    residual.flag_key.clear();
    residual.flag_key_prefix.clear();
  } else if (family == Family(ColumnFamily::kAuditIndex)) {
    if (filter.actors.empty()) {
      residual.types.clear();
    } else {
      residual.actors.clear();
    }
  }
  const bool check = !residual.OnlyScope();

  std::vector<std::unique_ptr<StreamCursor>> cursors;
  cursors.reserve(prefixes.size());
  for (const std::string& prefix : prefixes) {
    cursors.push_back(std::make_unique<StreamCursor>(db, family, prefix, range));
  }
  auto next_cursor = [&]() -> StreamCursor* {
    StreamCursor* next = nullptr;
    for (const auto& cursor : cursors) {
      if (!cursor->valid()) continue;
      if (!next || (range.descending ? cursor->sequence() > next->sequence()
                                     : cursor->sequence() < next->sequence())) {
        next = cursor.get();
      }
    }
    return next;
  };
  thread_local EventDecoder decoder;
  std::size_t matched = 0;
  bool stopped = false;
  // Offers one event; false once the walk is over.
  auto offer = [&](std::uint64_t sequence, std::string_view json, Status& failure) {
    if (check) {
      auto event = decoder.Decode(json, EventDecoder::Parts::kWithoutChanges);
      if (!event.ok()) {
        failure = event.status();
        return false;
      }
      if (!residual.Matches(*event)) return true;
    }
    ++matched;
    stopped = !visit(sequence, json);
    return !stopped && matched < range.limit;
  };
  Status failure;
  if (json_in_stream) {
    for (StreamCursor* next = next_cursor(); next && matched < range.limit; next = next_cursor()) {
      if (!offer(next->sequence(), next->value(), failure)) break;
      next->Advance();
    }
  } else {
    // The events of an index are read a batch at a time: one MultiGet, a pass over the files
    // for the whole batch, instead of a lookup each. A batch is what the page still needs, at
    // most kLookupBatch (events that fail a check are made up by the next batch).
    std::vector<std::uint64_t> batch;
    while (!stopped && failure.ok() && matched < range.limit) {
      std::size_t want = std::min(range.limit - matched, kLookupBatch);
      batch.clear();
      for (StreamCursor* next = next_cursor(); next && batch.size() < want; next = next_cursor()) {
        batch.push_back(next->sequence());
        next->Advance();
      }
      if (batch.empty()) break;
      auto events = ReadEvents(db, Family(ColumnFamily::kEvents), batch);
      if (!events.ok()) return events.status();
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (!offer(batch[i], (*events)[i], failure)) break;
      }
    }
  }
  if (!failure.ok()) return failure;
  for (const auto& cursor : cursors) {
    if (!cursor->status().ok()) return StorageError("cannot read the event log", cursor->status());
  }
  return Status::Ok();
}

Result<std::pair<std::uint64_t, std::uint64_t>> EventLog::SequencesRecordedBetween(
    std::optional<Timestamp> from, std::optional<Timestamp> to) const {
  std::uint64_t after = 0, before = EventRange::kEnd;
  if (from) {  // every event recorded before `from` is at or below `after`
    auto last_before = SequenceAt(Timestamp::FromMicros(from->micros() - 1));
    if (!last_before.ok()) return last_before.status();
    after = *last_before;
  }
  if (to) {
    auto last_before = SequenceAt(Timestamp::FromMicros(to->micros() - 1));
    if (!last_before.ok()) return last_before.status();
    before = *last_before + 1;
  }
  return std::make_pair(after, before);
}

}  // namespace flagledger

// EventLog::CheckIntegrity: the log against itself and its indexes, for `flagledger verify`.
#include <rocksdb/db.h>

#include <functional>
#include <map>
#include <unordered_map>

#include "events/event_codec.h"
#include "events/event_log.h"
#include "events/log_keys.h"
#include "events/log_status.h"
#include "events/org_checkpoint.h"

namespace flagledger {

using namespace internal;

namespace {

// What each index entry must agree with, per sequence (index 0 is sequence 1).
struct EventFacts {
  std::size_t org_hash = 0;
  std::size_t flag_hash = 0;       // of org '\0' key
  std::size_t org_value_hash = 0;  // of its org_events value (OrgEventsValue)
  std::uint64_t version = 0;
  Timestamp recorded_at;
  std::size_t actor_hash = 0;
  EventType type = EventType::kFlagCreated;
};

// Splits an audit_index key (kind scope '\0' value '\0' u64 sequence) into scope and value;
// false when it has another shape.
bool SplitAuditKey(std::string_view key, std::string_view& scope, std::string_view& value) {
  if (key.size() < 11) return false;
  std::string_view middle = key.substr(1, key.size() - 9);  // scope '\0' value '\0'
  std::size_t split = middle.find('\0');
  if (split == std::string_view::npos || middle.back() != '\0') return false;
  scope = middle.substr(0, split);
  value = middle.substr(split + 1, middle.size() - split - 2);
  return true;
}

}  // namespace

Status EventLog::ListCheckpoints(
    std::map<std::uint64_t, std::vector<std::string>>& positions) const {
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), Family(ColumnFamily::kOrgCheckpoints)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key = it->key().ToStringView();
    if (key.size() < 9) continue;  // matches no expected key: reported by the check
    positions[ReadBigEndian(key.substr(key.size() - 8))].emplace_back(
        key.substr(0, key.size() - 9));
  }
  if (!it->status().ok()) return StorageError("cannot read the checkpoints", it->status());
  return Status::Ok();
}

Result<std::uint64_t> EventLog::CheckIntegrity(
    const std::function<void(const std::string&)>& problem, std::size_t max_problems) const {
  std::size_t problems = 0;
  auto report = [&](const std::string& text) {
    if (problems++ < max_problems) problem(text);
  };
  {
    // Every table file of every family (the idempotency records' too) against its block
    // checksums: damage there shows up in no event scan.
    ReaderMutexLock shared(db_mutex_);
    if (!db_) return LogClosed();
    rocksdb::Status checksums = db_->VerifyChecksum();
    if (!checksums.ok()) report("table files fail their checksums: " + checksums.ToString());
  }
  // Where the checkpoints stand (sequence -> organizations), and what each must hold.
  std::map<std::uint64_t, std::vector<std::string>> checkpoint_positions;
  std::map<std::string, std::string> expected_checkpoints;  // key -> encoded state
  std::unordered_map<std::string, OrgCheckpoint> organizations;
  if (schema_ >= 5) {
    Status listed = ListCheckpoints(checkpoint_positions);
    if (!listed.ok()) return listed;
  }
  std::hash<std::string_view> hash;
  std::vector<EventFacts> facts;
  std::unordered_map<std::string, std::uint64_t> versions;  // org '\0' key -> last version
  EventDecoder decoder;
  Timestamp previous_time = Timestamp::FromMicros(std::numeric_limits<std::int64_t>::min());

  Status scanned = Scan(EventRange{}, [&](std::uint64_t sequence, std::string_view json) {
    if (sequence != facts.size() + 1) {
      report("sequence gap: expected " + std::to_string(facts.size() + 1) + ", found " +
             std::to_string(sequence));
      facts.resize(sequence - 1);
    }
    facts.emplace_back();
    auto event = decoder.Decode(json);
    if (!event.ok()) {
      report("event " + std::to_string(sequence) + " does not decode: " + event.status().detail());
      return true;
    }
    if (event->sequence != sequence) {
      report("event " + std::to_string(sequence) + " says it is event " +
             std::to_string(event->sequence));
    }
    if (event->recorded_at < previous_time) {
      report("event " + std::to_string(sequence) + " is recorded before its predecessor");
    }
    previous_time = event->recorded_at;
    std::string identity = event->organization_id + '\0' + event->flag_key;
    std::uint64_t& last_version = versions[identity];
    if (event->version != last_version + 1) {
      report("event " + std::to_string(sequence) + " has version " +
             std::to_string(event->version) + ", expected " + std::to_string(last_version + 1));
    }
    last_version = event->version;
    if (!IsTokenEvent(event->type)) {
      OrgCheckpoint& state = organizations[event->organization_id];
      state.Apply(event->flag_key, sequence, event->flag.has_value());
      auto position = checkpoint_positions.find(sequence);
      if (position != checkpoint_positions.end()) {
        for (const std::string& organization_id : position->second) {
          if (organization_id != event->organization_id) continue;  // reported below
          expected_checkpoints.emplace(OrgEventsKey(organization_id, sequence),
                                       EncodeOrgCheckpoint(state));
        }
      }
    }
    facts.back() = EventFacts{hash(event->organization_id),
                              hash(identity),
                              hash(OrgEventsValue(*event)),
                              event->version,
                              event->recorded_at,
                              hash(event->actor),
                              event->type};
    return true;
  });
  if (!scanned.ok()) return scanned;
  if (facts.size() != last_sequence()) {
    report("the log ends at " + std::to_string(facts.size()) + " but its tail says " +
           std::to_string(last_sequence()));
  }

  // Each index must hold exactly one matching entry per event.
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  rocksdb::DB* db = db_.get();  // under the lock, which check_index runs within
  rocksdb::ColumnFamilyHandle* audit_index = Family(ColumnFamily::kAuditIndex);
  auto check_index =
      [&](rocksdb::ColumnFamilyHandle* family, const char* name,
          const std::function<bool(std::string_view, std::string_view, const EventFacts&)>& matches)
      -> Status {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), family));
    std::uint64_t entries = 0;
    const std::uint64_t expected = family == audit_index ? 4 : 1;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++entries;
      std::string_view key = it->key().ToStringView();
      std::uint64_t sequence = key.size() >= 8 ? ReadBigEndian(key.substr(key.size() - 8)) : 0;
      if (sequence == 0 || sequence > facts.size() ||
          !matches(key, it->value().ToStringView(), facts[sequence - 1])) {
        report(std::string(name) + " entry for event " + std::to_string(sequence) +
               " does not match the log");
      }
    }
    if (!it->status().ok()) return Status(ErrorCode::kUnavailable, it->status().ToString());
    if (entries != expected * facts.size()) {
      report(std::string(name) + " has " + std::to_string(entries) + " entries for " +
             std::to_string(facts.size()) + " events");
    }
    return Status::Ok();
  };
  Status checked =
      check_index(Family(ColumnFamily::kFlagEvents), "flag_events",
                  [&](std::string_view key, std::string_view value, const EventFacts& fact) {
                    return value.size() == 8 && ReadBigEndian(value) == fact.version &&
                           hash(key.substr(0, key.size() - 9)) == fact.flag_hash;
                  });
  if (checked.ok()) {
    checked =
        check_index(Family(ColumnFamily::kOrgEvents), "org_events",
                    [&](std::string_view key, std::string_view value, const EventFacts& fact) {
                      return hash(key.substr(0, key.size() - 9)) == fact.org_hash &&
                             (schema_ < 5 || hash(value) == fact.org_value_hash);
                    });
  }
  if (checked.ok()) {
    checked = check_index(Family(ColumnFamily::kTimeIndex), "time_index",
                          [&](std::string_view key, std::string_view, const EventFacts& fact) {
                            return key.size() == 16 && TimeIndexTime(key) == fact.recorded_at;
                          });
  }
  if (checked.ok() && schema_ >= 3) {  // four entries per event (log_keys.h)
    checked = check_index(audit_index, "audit_index",
                          [&](std::string_view key, std::string_view, const EventFacts& fact) {
                            std::string_view scope, value;
                            if (!SplitAuditKey(key, scope, value)) return false;
                            if (!scope.empty() && hash(scope) != fact.org_hash) return false;
                            switch (static_cast<AuditKind>(key[0])) {
                              case AuditKind::kActor:
                                return hash(value) == fact.actor_hash;
                              case AuditKind::kType:
                                return value == EventTypeName(fact.type);
                            }
                            return false;
                          });
  }
  if (checked.ok() && schema_ >= 5) {
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), Family(ColumnFamily::kOrgCheckpoints)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto expected = expected_checkpoints.find(it->key().ToString());
      if (expected == expected_checkpoints.end() ||
          expected->second != it->value().ToStringView()) {
        std::string_view key = it->key().ToStringView();
        report("org_checkpoints entry for event " +
               std::to_string(key.size() >= 8 ? ReadBigEndian(key.substr(key.size() - 8)) : 0) +
               " does not match the log");
      }
    }
    if (!it->status().ok()) checked = Status(ErrorCode::kUnavailable, it->status().ToString());
  }
  if (checked.ok() && schema_ >= 5) {  // the batches partition the log: 1..last, in order
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), Family(ColumnFamily::kBatches)));
    std::uint64_t expected = 1, last = 0;
    std::vector<std::string> scope_keys;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::uint64_t first = it->key().size() == 8 ? ReadBigEndian(it->key().ToStringView()) : 0;
      if (first != expected || !ParseBatchesValue(it->value().ToStringView(), last, scope_keys) ||
          last < first || last > facts.size()) {
        report("batches entry at event " + std::to_string(first) + " does not match the log");
        expected = facts.size() + 1;  // reported once: the rest is not checked
        break;
      }
      expected = last + 1;
    }
    if (!it->status().ok()) checked = Status(ErrorCode::kUnavailable, it->status().ToString());
    if (checked.ok() && expected != facts.size() + 1) {
      report("batches cover the log up to event " + std::to_string(expected - 1) + " of " +
             std::to_string(facts.size()));
    }
  }
  if (!checked.ok()) return checked;
  return static_cast<std::uint64_t>(facts.size());
}

}  // namespace flagledger

#include "events/log_migrations.h"

#include <cstdio>
#include <optional>
#include <random>
#include <unordered_map>

#include "events/event_chain.h"
#include "events/event_codec.h"
#include "events/log_keys.h"
#include "events/org_checkpoint.h"

namespace flagledger {
namespace internal {
namespace {

Status AddLogId(rocksdb::DB&, const FamilyHandles& families, rocksdb::WriteBatch& batch,
                const std::function<Status(rocksdb::WriteBatch&)>&) {
  rocksdb::Status status =
      batch.Put(families[static_cast<std::size_t>(ColumnFamily::kMeta)], kLogIdKey, NewLogId());
  if (!status.ok()) return Status(ErrorCode::kInternal, "cannot add the log id");
  return Status::Ok();
}

rocksdb::ColumnFamilyHandle* Handle(const FamilyHandles& families, ColumnFamily family) {
  return families[static_cast<std::size_t>(family)];
}

// Events per intermediate batch of a step that rewrites the log: bounds its memory.
constexpr std::size_t kEventsPerMigrationBatch = 20000;

// Calls `visit(key, event)` for every stored event in sequence order, to add its writes to
// `batch`; writes the batch through `write` every kEventsPerMigrationBatch events.
Status ForEachStoredEvent(
    rocksdb::DB& db, const FamilyHandles& families, rocksdb::WriteBatch& batch,
    const std::function<Status(rocksdb::WriteBatch&)>& write,
    const std::function<rocksdb::Status(const rocksdb::Slice&, Event&)>& visit) {
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;
  read_options.readahead_size = 4 << 20;
  std::unique_ptr<rocksdb::Iterator> it(
      db.NewIterator(read_options, Handle(families, ColumnFamily::kEvents)));
  EventDecoder decoder;
  std::size_t in_batch = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto event = decoder.Decode(it->value().ToStringView());
    if (!event.ok()) {
      return Status(ErrorCode::kInternal,
                    "cannot upgrade the event log: event " +
                        std::to_string(ReadBigEndian(it->key().ToStringView())) + " is " +
                        event.status().detail());
    }
    if (!visit(it->key(), *event).ok()) {
      return Status(ErrorCode::kInternal, "cannot build the upgrade batch");
    }
    if (++in_batch == kEventsPerMigrationBatch) {
      Status written = write(batch);
      if (!written.ok()) return written;
      batch.Clear();
      in_batch = 0;
    }
  }
  if (!it->status().ok()) {
    return Status(ErrorCode::kUnavailable, "cannot read the event log: " + it->status().ToString());
  }
  return Status::Ok();
}

Status AddAuditIndex(rocksdb::DB& db, const FamilyHandles& families, rocksdb::WriteBatch& batch,
                     const std::function<Status(rocksdb::WriteBatch&)>& write) {
  rocksdb::ColumnFamilyHandle* events = Handle(families, ColumnFamily::kEvents);
  rocksdb::ColumnFamilyHandle* audit = Handle(families, ColumnFamily::kAuditIndex);
  std::unordered_map<std::string, std::optional<Flag>> last_flag;  // org '\0' key -> flag
  return ForEachStoredEvent(
      db, families, batch, write, [&](const rocksdb::Slice& key, Event& event) {
        rocksdb::Status status;
        for (const std::string& audit_key : AuditKeys(event)) {
          if (status.ok()) status = batch.Put(audit, audit_key, rocksdb::Slice());
        }
        if (!IsTokenEvent(event.type)) {
          std::optional<Flag>& last = last_flag[event.organization_id + '\0' + event.flag_key];
          if (event.type == EventType::kFlagDeleted && !event.previous && last) {
            event.previous = std::move(last);
            if (status.ok()) status = batch.Put(events, key, EncodeEvent(event));
          }
          last = std::move(event.flag);
        }
        return status;
      });
}

// Chains every event (events/event_chain.h), in sequence order. Idempotent: an event already
// chained by an interrupted run gets the same members again.
Status ChainEvents(rocksdb::DB& db, const FamilyHandles& families, rocksdb::WriteBatch& batch,
                   const std::function<Status(rocksdb::WriteBatch&)>& write) {
  rocksdb::ColumnFamilyHandle* events = Handle(families, ColumnFamily::kEvents);
  std::string previous_hash(kGenesisHash);
  return ForEachStoredEvent(
      db, families, batch, write, [&](const rocksdb::Slice& key, Event& event) {
        rocksdb::Status status = batch.Put(events, key, EncodeChainedEvent(event, previous_hash));
        previous_hash = std::move(event.hash);
        return status;
      });
}

// Gives every organization index entry its value (OrgEventsValue), checkpoints every
// organization's live flag keys (events/org_checkpoint.h) along its whole history as the
// writer would have, and records batch boundaries: the events of one restore (sharing a
// restore_id, consecutive) as one batch, every other event as its own, as they were appended.
// Idempotent: a second run puts the same.
Status AddCheckpointsAndBatches(rocksdb::DB& db, const FamilyHandles& families,
                                rocksdb::WriteBatch& batch,
                                const std::function<Status(rocksdb::WriteBatch&)>& write) {
  rocksdb::ColumnFamilyHandle* org_events = Handle(families, ColumnFamily::kOrgEvents);
  rocksdb::ColumnFamilyHandle* checkpoints = Handle(families, ColumnFamily::kOrgCheckpoints);
  rocksdb::ColumnFamilyHandle* batches = Handle(families, ColumnFamily::kBatches);
  struct Organization {
    OrgCheckpoint state;
    std::size_t events_since = 0;
    std::size_t interval = CheckpointInterval(0);
  };
  std::unordered_map<std::string, Organization> organizations;
  std::uint64_t first = 0, last = 0;  // the batch being gathered (first 0: none yet)
  std::string restore_id;
  auto end_batch = [&]() {
    if (first == 0) return rocksdb::Status::OK();
    return batch.Put(batches, SequenceKey(first), BatchesValue(last, {}));
  };
  Status walked =
      ForEachStoredEvent(db, families, batch, write, [&](const rocksdb::Slice&, Event& event) {
        rocksdb::Status status;
        if (event.restore_id.empty() || event.restore_id != restore_id) {
          status = end_batch();
          first = event.sequence;
          restore_id = event.restore_id;
        }
        last = event.sequence;
        if (status.ok()) {
          status = batch.Put(org_events, OrgEventsKey(event.organization_id, event.sequence),
                             OrgEventsValue(event));
        }
        if (!status.ok() || IsTokenEvent(event.type)) return status;
        Organization& organization = organizations[event.organization_id];
        organization.state.Apply(event.flag_key, event.sequence, event.flag.has_value());
        if (++organization.events_since < organization.interval) return rocksdb::Status::OK();
        organization.events_since = 0;
        organization.interval = CheckpointInterval(organization.state.live.size());
        return batch.Put(checkpoints, OrgEventsKey(event.organization_id, event.sequence),
                         EncodeOrgCheckpoint(organization.state));
      });
  if (!walked.ok()) return walked;
  if (!end_batch().ok()) return Status(ErrorCode::kInternal, "cannot build the upgrade batch");
  return Status::Ok();
}

constexpr LogMigration kMigrations[] = {
    {1, "adds the log id that names this data directory's history", &AddLogId},
    {2, "adds the index of events by actor and by type, and the flag before each delete",
     &AddAuditIndex},
    {3, "chains every event to the one before it by hash (tamper evidence)", &ChainEvents},
    {4, "checkpoints each organization's live flags along its history, and records batches",
     &AddCheckpointsAndBatches},
};
static_assert(std::size(kMigrations) == kCurrentSchema - 1, "one step per schema");

}  // namespace

std::span<const LogMigration> LogMigrations() { return kMigrations; }

std::string NewLogId() {
  std::random_device random;
  char text[33];
  std::snprintf(text, sizeof text, "%08x%08x%08x%08x", random(), random(), random(), random());
  return text;
}

}  // namespace internal
}  // namespace flagledger

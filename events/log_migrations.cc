#include "events/log_migrations.h"

#include <cstdio>
#include <optional>
#include <random>
#include <unordered_map>

#include "events/event_codec.h"
#include "events/log_keys.h"

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

// Events per intermediate batch of AddAuditIndex: bounds its memory on a long log.
constexpr std::size_t kEventsPerMigrationBatch = 20000;

Status AddAuditIndex(rocksdb::DB& db, const FamilyHandles& families, rocksdb::WriteBatch& batch,
                     const std::function<Status(rocksdb::WriteBatch&)>& write) {
  rocksdb::ColumnFamilyHandle* events = Handle(families, ColumnFamily::kEvents);
  rocksdb::ColumnFamilyHandle* audit = Handle(families, ColumnFamily::kAuditIndex);
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;
  read_options.readahead_size = 4 << 20;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options, events));
  std::unordered_map<std::string, std::optional<Flag>> last_flag;  // org '\0' key -> flag
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
    for (const std::string& key : AuditKeys(*event)) {
      if (!batch.Put(audit, key, rocksdb::Slice()).ok()) {
        return Status(ErrorCode::kInternal, "cannot build the upgrade batch");
      }
    }
    if (!IsTokenEvent(event->type)) {
      std::optional<Flag>& last = last_flag[event->organization_id + '\0' + event->flag_key];
      if (event->type == EventType::kFlagDeleted && !event->previous && last) {
        event->previous = std::move(last);
        if (!batch.Put(events, it->key(), EncodeEvent(*event)).ok()) {
          return Status(ErrorCode::kInternal, "cannot build the upgrade batch");
        }
      }
      last = std::move(event->flag);
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

constexpr LogMigration kMigrations[] = {
    {1, "adds the log id that names this data directory's history", &AddLogId},
    {2, "adds the index of events by actor and by type, and the flag before each delete",
     &AddAuditIndex},
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

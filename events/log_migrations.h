// The event log's on-disk schema versions and the forward migrations between them, run when a
// newer flagledger opens an older data directory (docs/operations.md, "Upgrades").
//
// Each step takes the log from schema `from` to from + 1. Its last WriteBatch also stores the
// new schema version, so an upgrade interrupted by a crash or a full disk starts that step
// over at the next open. A step too large for one batch writes the rest before, through
// `write`; those writes must be idempotent (the step may run again) and invisible to readers
// of the older schema.
//
// Schemas:
//   1  0.9.0: the events, their indexes and the idempotency records (log_keys.h).
//   2  adds the log id (meta "log_id", 32 hex digits, random): names the history this data
//      directory holds, so that a follower can tell its leader's log from another one.
//   3  adds the audit index (events by actor and by type, log_keys.h) and gives every stored
//      flag.deleted event the member "previous": the flag event before it left behind.
//   4  chains every event by hash: each ends with "previous_hash" and "hash"
//      (events/event_chain.h). Its release also adds flag.reverted events, which only builds
//      that read schema 4 can decode.
//   5  adds the organizations' checkpoints (events/org_checkpoint.h): each organization's live
//      flag keys every CheckpointInterval of its events, for reads at a past point; and the
//      batch index: which events (and idempotency records) each Append wrote, for followers.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "events/column_family.h"
#include "events/event_log.h"

namespace flagledger {
namespace internal {

inline constexpr int kCurrentSchema = EventLog::kSchemaVersion;
// The oldest schema this build reads without migrating it (read-only opens never migrate).
inline constexpr int kOldestReadableSchema = EventLog::kOldestReadableSchema;

inline constexpr char kLogIdKey[] = "log_id";

using FamilyHandles = std::array<rocksdb::ColumnFamilyHandle*, kColumnFamilyCount>;

struct LogMigration {
  int from;               // the step leads to from + 1
  std::string_view what;  // one line for the operator's log
  // Adds the step's last writes to `batch`; may write earlier ones through `write`. Reads the
  // log as it is before the step.
  Status (*migrate)(rocksdb::DB& db, const FamilyHandles& families, rocksdb::WriteBatch& batch,
                    const std::function<Status(rocksdb::WriteBatch&)>& write);
};

// Every step, in order: the step from schema s is LogMigrations()[s - 1].
std::span<const LogMigration> LogMigrations();

// A new log id: 32 random hex digits.
std::string NewLogId();

}  // namespace internal
}  // namespace flagledger

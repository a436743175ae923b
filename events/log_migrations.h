// The event log's on-disk schema versions and the forward migrations between them, run when a
// newer flagledger opens an older data directory (docs/operations.md, "Upgrades").
//
// Each step takes the log from schema `from` to from + 1 in one WriteBatch that also stores
// the new schema version, so a step is applied whole or not at all: an upgrade interrupted by
// a crash or a full disk starts that step over at the next open. A step too large for one
// batch must keep its progress under a meta key written in the same batches as its work.
//
// Schemas:
//   1  0.9.0: the events, their indexes and the idempotency records (log_keys.h).
//   2  adds the log id (meta "log_id", 32 hex digits, random): names the history this data
//      directory holds, so that a follower can tell its leader's log from another one.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <array>
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
  // Adds the step's writes to `batch`; reads the log as it is before the step.
  Status (*migrate)(rocksdb::DB& db, const FamilyHandles& families, rocksdb::WriteBatch& batch);
};

// Every step, in order: the step from schema s is LogMigrations()[s - 1].
std::span<const LogMigration> LogMigrations();

// A new log id: 32 random hex digits.
std::string NewLogId();

}  // namespace internal
}  // namespace flagledger

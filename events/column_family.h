// The event log's RocksDB column families (the key layout of each is in log_keys.cc).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace flagledger {
namespace internal {

// The log's RocksDB column families, in the order they are opened (the enum's value is the
// position in that order; never stored).
enum class ColumnFamily : std::uint8_t {
  kMeta,               // RocksDB's "default": the schema version
  kEvents,             // sequence -> event JSON
  kFlagEvents,         // a flag stream's index -> version
  kOrgEvents,          // an organization's index
  kTimeIndex,          // recorded_at index
  kIdempotency,        // scope key -> stored answer
  kIdempotencyExpiry,  // creation time index of the idempotency records
  kAuditIndex,         // events by actor and by type (schema 3 on)
  kOrgCheckpoints,     // an organization's live flag keys every so many events (schema 5 on)
  kBatches,            // the appends' boundaries, for replication (schema 5 on)
};
inline constexpr std::array<std::string_view, 10> kColumnFamilyNames = {
    "default",         "events",      "flag_events",        "org_events",
    "time_index",      "idempotency", "idempotency_expiry", "audit_index",
    "org_checkpoints", "batches"};
static_assert(kColumnFamilyNames.size() == static_cast<std::size_t>(ColumnFamily::kBatches) + 1);
inline constexpr std::size_t kColumnFamilyCount = kColumnFamilyNames.size();

}  // namespace internal
}  // namespace flagledger

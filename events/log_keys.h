// The RocksDB key layout of the event log and its indexes (grammar in log_keys.cc).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/timestamp.h"
#include "events/column_family.h"
#include "events/event.h"
#include "events/idempotency_record.h"

namespace flagledger {
namespace internal {

inline constexpr char kSchemaKey[] = "schema_version";

void AppendBigEndian(std::string& out, std::uint64_t value);
// REQUIRES: bytes.size() >= 8; reads the first 8 bytes.
std::uint64_t ReadBigEndian(std::string_view bytes);

// events: u64 sequence.
std::string SequenceKey(std::uint64_t sequence);
// flag_events: org '\0' flag_key '\0' u64 sequence -> u64 version.
std::string FlagEventsPrefix(std::string_view organization_id, std::string_view flag_key);
std::string FlagEventsKey(std::string_view organization_id, std::string_view flag_key,
                          std::uint64_t sequence);
// org_events: org '\0' u64 sequence -> OrgEventsValue (schema 5 on; "" before).
// org_checkpoints: the same key -> EncodeOrgCheckpoint (events/org_checkpoint.h).
std::string OrgEventsPrefix(std::string_view organization_id);
std::string OrgEventsKey(std::string_view organization_id, std::uint64_t sequence);
// '+' flag_key after an event that leaves the flag live, '-' flag_key after one that deletes
// it, "!" for a token event: what an organization's checkpoint folds in, without the event.
std::string OrgEventsValue(const Event& event);
// time_index: u64 (recorded_at micros + 2^63) u64 sequence -> "".
std::string TimeIndexKey(Timestamp recorded_at, std::uint64_t sequence);
Timestamp TimeIndexTime(std::string_view key);

// audit_index: kind scope '\0' value '\0' u64 sequence -> "", where scope is the event's
// organization id, or "" for the whole log (every event has an entry in both).
enum class AuditKind : char { kActor = 'a', kType = 't' };
std::string AuditPrefix(AuditKind kind, std::string_view scope, std::string_view value);
std::string AuditKey(AuditKind kind, std::string_view scope, std::string_view value,
                     std::uint64_t sequence);

// The four audit_index keys of `event` (actor and type, in its organization and the log).
std::array<std::string, 4> AuditKeys(const Event& event);

// batches: u64 first sequence -> BatchesValue: the events and records one Append wrote.
std::string BatchesValue(std::uint64_t last, const std::vector<IdempotencyRecord>& records);
// u64 last sequence (u32 length, scope key)*; false when `value` has another shape.
bool ParseBatchesValue(std::string_view value, std::uint64_t& last,
                       std::vector<std::string>& scope_keys);

// idempotency_expiry: u64 (created_at micros + 2^63) scope_key -> "".
std::string IdempotencyExpiryKey(Timestamp created_at, std::string_view scope_key);
// idempotency: scope_key -> record (see EncodeIdempotencyRecord).
std::string EncodeIdempotencyRecord(const IdempotencyRecord& record);
bool DecodeIdempotencyRecord(std::string_view scope_key, std::string_view value,
                             IdempotencyRecord& record);

// The smallest key greater than every key that starts with `prefix` ("" when none exists).
std::string PrefixEnd(std::string_view prefix);

}  // namespace internal
}  // namespace flagledger

// RocksDB layout of a data directory's log (DATA_DIR/log). Column families and their keys;
// integers are big-endian, so bytewise key order is numeric order:
//
//   default      "schema_version"                        -> decimal text, "1"
//   events       u64 sequence                            -> event JSON (event_codec.cc)
//   flag_events  org '\0' flag_key '\0' u64 sequence     -> u64 version
//   org_events   org '\0' u64 sequence                   -> ""
//   time_index   u64 (recorded_at micros + 2^63) u64 seq -> ""
//   idempotency  org '\0' idempotency_key                -> i64 created_at micros,
//                                                           u32 request length, request,
//                                                           response (rest of the value)
//   idempotency_expiry  u64 (created_at + 2^63) org '\0' idempotency_key -> ""
//   audit_index  'a' scope '\0' actor '\0' u64 sequence      -> ""   (schema 3 on)
//                't' scope '\0' type name '\0' u64 sequence  -> ""
//                scope: the event's organization id, and "" for the whole log
//
// Identifiers never contain '\0' (core/identifier.h), so a prefix names exactly one
// organization or flag key, and the keys of one organization sort by flag_key bytewise.
// One append is one WriteBatch over all of them (idempotency records included).
#include "events/log_keys.h"

namespace flagledger {
namespace internal {

void AppendBigEndian(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

std::uint64_t ReadBigEndian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8 && i < bytes.size(); ++i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  }
  return value;
}

std::string SequenceKey(std::uint64_t sequence) {
  std::string key;
  AppendBigEndian(key, sequence);
  return key;
}

std::string FlagEventsPrefix(std::string_view organization_id, std::string_view flag_key) {
  std::string prefix;
  prefix.reserve(organization_id.size() + flag_key.size() + 10);
  prefix.append(organization_id).push_back('\0');
  prefix.append(flag_key).push_back('\0');
  return prefix;
}

std::string FlagEventsKey(std::string_view organization_id, std::string_view flag_key,
                          std::uint64_t sequence) {
  std::string key = FlagEventsPrefix(organization_id, flag_key);
  AppendBigEndian(key, sequence);
  return key;
}

std::string OrgEventsPrefix(std::string_view organization_id) {
  std::string prefix(organization_id);
  prefix.push_back('\0');
  return prefix;
}

std::string OrgEventsKey(std::string_view organization_id, std::uint64_t sequence) {
  std::string key = OrgEventsPrefix(organization_id);
  AppendBigEndian(key, sequence);
  return key;
}

std::string OrgEventsValue(const Event& event) {
  if (IsTokenEvent(event.type)) return "!";
  std::string value(1, event.flag ? '+' : '-');
  value.append(event.flag_key);
  return value;
}

std::string AuditPrefix(AuditKind kind, std::string_view scope, std::string_view value) {
  std::string prefix;
  prefix.reserve(scope.size() + value.size() + 11);
  prefix.push_back(static_cast<char>(kind));
  prefix.append(scope).push_back('\0');
  prefix.append(value).push_back('\0');
  return prefix;
}

std::string AuditKey(AuditKind kind, std::string_view scope, std::string_view value,
                     std::uint64_t sequence) {
  std::string key = AuditPrefix(kind, scope, value);
  AppendBigEndian(key, sequence);
  return key;
}

std::array<std::string, 4> AuditKeys(const Event& event) {
  std::string_view type = EventTypeName(event.type);
  return {AuditKey(AuditKind::kActor, event.organization_id, event.actor, event.sequence),
          AuditKey(AuditKind::kActor, "", event.actor, event.sequence),
          AuditKey(AuditKind::kType, event.organization_id, type, event.sequence),
          AuditKey(AuditKind::kType, "", type, event.sequence)};
}

std::string TimeIndexKey(Timestamp recorded_at, std::uint64_t sequence) {
  std::string key;
  AppendBigEndian(key, static_cast<std::uint64_t>(recorded_at.micros()) ^ (1ULL << 63));
  AppendBigEndian(key, sequence);
  return key;
}

Timestamp TimeIndexTime(std::string_view key) {
  return Timestamp::FromMicros(static_cast<std::int64_t>(ReadBigEndian(key) ^ (1ULL << 63)));
}

std::string BatchesValue(std::uint64_t last, const std::vector<IdempotencyRecord>& records) {
  std::string value;
  AppendBigEndian(value, last);
  for (const IdempotencyRecord& record : records) {
    std::string length;
    AppendBigEndian(length, record.scope_key.size());
    value.append(length, 4, 4);  // u32: the low half of the big-endian u64
    value.append(record.scope_key);
  }
  return value;
}

bool ParseBatchesValue(std::string_view value, std::uint64_t& last,
                       std::vector<std::string>& scope_keys) {
  if (value.size() < 8) return false;
  last = ReadBigEndian(value);
  value.remove_prefix(8);
  scope_keys.clear();
  while (!value.empty()) {
    if (value.size() < 4) return false;
    std::uint64_t length = ReadBigEndian(std::string(4, '\0') + std::string(value.substr(0, 4)));
    if (value.size() < 4 + length) return false;
    scope_keys.emplace_back(value.substr(4, length));
    value.remove_prefix(4 + length);
  }
  return true;
}

std::string IdempotencyExpiryKey(Timestamp created_at, std::string_view scope_key) {
  std::string key;
  AppendBigEndian(key, static_cast<std::uint64_t>(created_at.micros()) ^ (1ULL << 63));
  key.append(scope_key);
  return key;
}

std::string EncodeIdempotencyRecord(const IdempotencyRecord& record) {
  std::string value;
  value.reserve(12 + record.request.size() + record.response.size());
  AppendBigEndian(value, static_cast<std::uint64_t>(record.created_at.micros()));
  std::string length;
  AppendBigEndian(length, record.request.size());
  value.append(length, 4, 4);  // u32: the low half of the big-endian u64
  value.append(record.request);
  value.append(record.response);
  return value;
}

bool DecodeIdempotencyRecord(std::string_view scope_key, std::string_view value,
                             IdempotencyRecord& record) {
  if (value.size() < 12) return false;
  std::uint64_t length = ReadBigEndian(std::string(4, '\0') + std::string(value.substr(8, 4)));
  if (value.size() < 12 + length) return false;
  record.scope_key = std::string(scope_key);
  record.created_at = Timestamp::FromMicros(static_cast<std::int64_t>(ReadBigEndian(value)));
  record.request = std::string(value.substr(12, length));
  record.response = std::string(value.substr(12 + length));
  return true;
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) != 0xFF) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

}  // namespace internal
}  // namespace flagledger

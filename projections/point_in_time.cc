#include "projections/point_in_time.h"

#include "events/event_codec.h"

namespace flagledger {
namespace {

// The flag a stored event leaves behind (nullptr after a delete).
Result<std::shared_ptr<const FlagRecord>> RecordOf(std::string_view event_json) {
  thread_local EventDecoder decoder;
  auto event = decoder.Decode(event_json);
  if (!event.ok()) return event.status();
  if (!event->flag) return std::shared_ptr<const FlagRecord>();
  return MakeFlagRecord(std::move(*event->flag), event->version);
}

}  // namespace

Result<std::shared_ptr<const FlagRecord>> FlagAt(const EventLog& log,
                                                 std::string_view organization_id,
                                                 std::string_view flag_key,
                                                 std::uint64_t sequence) {
  auto event = log.FlagEventAt(organization_id, flag_key, sequence);
  if (!event.ok()) return event.status();
  if (!event->has_value()) return std::shared_ptr<const FlagRecord>();
  return RecordOf(**event);
}

Result<std::vector<std::shared_ptr<const FlagRecord>>> OrganizationAt(
    const EventLog& log, std::string_view organization_id, std::uint64_t sequence) {
  // The keys first: the log's visitors must not call back into the log.
  std::vector<std::string> keys;
  Status scanned = log.ForEachFlagKey(organization_id, [&](std::string_view flag_key) {
    keys.emplace_back(flag_key);
    return true;
  });
  if (!scanned.ok()) return scanned;
  std::vector<std::shared_ptr<const FlagRecord>> flags;
  for (const std::string& flag_key : keys) {
    auto record = FlagAt(log, organization_id, flag_key, sequence);
    if (!record.ok()) return record.status();
    if (*record) flags.push_back(std::move(record).value());
  }
  return flags;
}

}  // namespace flagledger

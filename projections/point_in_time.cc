#include "projections/point_in_time.h"

#include "events/event_codec.h"

namespace flagledger {
Result<std::shared_ptr<const FlagRecord>> RecordAfterEvent(std::string_view event_json) {
  thread_local EventDecoder decoder;
  auto event = decoder.Decode(event_json, EventDecoder::Parts::kWithoutChanges);
  if (!event.ok()) return event.status();
  if (!event->flag) return std::shared_ptr<const FlagRecord>();
  return MakeFlagRecord(std::move(*event->flag), event->version);
}

Result<std::shared_ptr<const FlagRecord>> FlagAt(const EventLog& log,
                                                 std::string_view organization_id,
                                                 std::string_view flag_key,
                                                 std::uint64_t sequence) {
  auto event = log.FlagEventAt(organization_id, flag_key, sequence);
  if (!event.ok()) return event.status();
  if (!event->has_value()) return std::shared_ptr<const FlagRecord>();
  return RecordAfterEvent(**event);
}

Result<std::vector<std::shared_ptr<const FlagRecord>>> OrganizationAt(
    const EventLog& log, std::string_view organization_id, std::uint64_t sequence) {
  auto live = log.LiveFlagsAt(organization_id, sequence);
  if (!live.ok()) return live.status();
  std::vector<std::uint64_t> newest;
  newest.reserve(live->live.size());
  for (const auto& [key, at] : live->live) newest.push_back(at);
  auto events = log.EventsAt(newest);
  if (!events.ok()) return events.status();
  std::vector<std::shared_ptr<const FlagRecord>> flags;
  flags.reserve(events->size());
  for (const std::string& json : *events) {
    auto record = RecordAfterEvent(json);
    if (!record.ok()) return record.status();
    if (!*record) return Status(ErrorCode::kInternal, "a checkpoint names a deleted flag as live");
    flags.push_back(std::move(record).value());
  }
  return flags;
}

Result<std::uint64_t> OrganizationSequenceAt(const EventLog& log, std::string_view organization_id,
                                             std::uint64_t at) {
  std::uint64_t newest = 0;
  EventRange last_one;
  last_one.before = at == EventRange::kEnd ? at : at + 1;
  last_one.descending = true;
  last_one.limit = 1;
  Status read = log.ScanOrganization(organization_id, last_one,
                                     [&](std::uint64_t sequence, std::string_view) {
                                       newest = sequence;
                                       return false;
                                     });
  if (!read.ok()) return read;
  return newest;
}

}  // namespace flagledger

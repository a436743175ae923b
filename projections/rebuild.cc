#include "projections/rebuild.h"

#include "events/event_codec.h"
#include "projections/projection_builder.h"

namespace flagledger {

Result<std::shared_ptr<const ProjectionSnapshot>> RebuildProjection(
    const EventLog& log, std::shared_ptr<const ProjectionSnapshot> base, std::uint64_t until) {
  std::uint64_t expected = base ? base->sequence + 1 : 1;
  ProjectionBuilder builder(std::move(base));
  EventDecoder decoder;
  Status failure;
  EventRange range;
  range.after = expected - 1;
  range.before = until == EventRange::kEnd ? until : until + 1;
  Status scanned = log.Scan(range, [&](std::uint64_t sequence, std::string_view json) {
    if (sequence != expected) {
      failure = Status(ErrorCode::kInternal, "event log has a gap: expected sequence " +
                                                 std::to_string(expected) + ", found " +
                                                 std::to_string(sequence));
      return false;
    }
    auto event = decoder.Decode(json, EventDecoder::Parts::kWithoutChanges);
    if (!event.ok() || event->sequence != sequence) {
      failure = Status(ErrorCode::kInternal,
                       "event " + std::to_string(sequence) + " is damaged: " +
                           (event.ok() ? "its sequence member differs" : event.status().detail()));
      return false;
    }
    builder.Fold(std::move(event).value());
    ++expected;
    return true;
  });
  if (!scanned.ok()) return scanned;
  if (!failure.ok()) return failure;
  return builder.Build();
}

}  // namespace flagledger

#include "projections/flag_timeline.h"

#include <algorithm>

#include "core/evaluation.h"
#include "events/event_codec.h"
#include "projections/point_in_time.h"

namespace flagledger {
namespace {

// Adds the part of [start, end) during which `flag` is on for `version`: its state is fixed
// there, so only the activation date can move the start.
void AddOnPart(std::vector<OnInterval>& intervals, const std::optional<Flag>& flag,
               std::string_view version, Timestamp start, Timestamp end) {
  if (!flag || start >= end) return;
  if (flag->rollout_condition && flag->rollout_condition->activation_date) {
    start = std::max(start, *flag->rollout_condition->activation_date);
    if (start >= end) return;
  }
  if (!Evaluate(*flag, version, start).value) return;
  if (!intervals.empty() && intervals.back().to == start) {
    intervals.back().to = end;
  } else {
    intervals.push_back(OnInterval{start, end});
  }
}

}  // namespace

Result<std::vector<OnInterval>> FlagOnIntervals(const EventLog& log,
                                                std::string_view organization_id,
                                                std::string_view flag_key, std::string_view version,
                                                Timestamp from, Timestamp to) {
  auto bounds = log.SequencesRecordedBetween(from, to);
  if (!bounds.ok()) return bounds.status();
  std::optional<Flag> state;
  auto start = FlagAt(log, organization_id, flag_key, bounds->first);
  if (!start.ok()) return start.status();
  if (*start) state = (*start)->flag;
  std::vector<OnInterval> intervals;
  Timestamp segment_start = from;
  EventDecoder decoder;
  Status failure;
  EventRange span;
  span.after = bounds->first;
  span.before = bounds->second;
  Status scanned =
      log.ScanFlag(organization_id, flag_key, span, [&](std::uint64_t, std::string_view json) {
        auto event = decoder.Decode(json, EventDecoder::Parts::kWithoutChanges);
        if (!event.ok()) {
          failure = event.status();
          return false;
        }
        AddOnPart(intervals, state, version, segment_start, event->recorded_at);
        segment_start = event->recorded_at;
        state = std::move(event->flag);
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!failure.ok()) return failure;
  AddOnPart(intervals, state, version, segment_start, to);
  return intervals;
}

}  // namespace flagledger

#include "projections/organization_diff.h"

#include <algorithm>

#include "events/event_codec.h"
#include "projections/point_in_time.h"

namespace flagledger {
namespace {

bool SameState(const FlagRecord* a, const FlagRecord* b) {
  if (!a || !b) return a == b;
  return a->flag.enabled == b->flag.enabled &&
         a->flag.rollout_condition == b->flag.rollout_condition &&
         a->flag.created_at == b->flag.created_at;
}

}  // namespace

Result<OrganizationDiff> DiffOrganization(const EventLog& log, std::string_view organization_id,
                                          std::uint64_t from, std::uint64_t to,
                                          std::string_view after_key, std::size_t limit) {
  // The keys whose newest event differs between the two points (others did not change), with
  // those two events' sequences (0: none yet).
  struct Candidate {
    std::string flag_key;
    std::uint64_t at_from, at_to;
  };
  std::vector<Candidate> candidates;
  const std::uint64_t points[] = {from, to};
  Status walked = log.ForEachFlagStreamAt(
      organization_id, points, [&](std::string_view key, std::span<const std::uint64_t> at) {
        if (key > after_key && at[0] != at[1])
          candidates.push_back({std::string(key), at[0], at[1]});
      });
  if (!walked.ok()) return walked;

  OrganizationDiff diff;
  EventDecoder decoder;
  // The two ends' events, a batch of candidates at a time.
  constexpr std::size_t kBatch = 128;
  for (std::size_t first = 0; first < candidates.size() && !diff.has_more; first += kBatch) {
    std::size_t end = std::min(candidates.size(), first + kBatch);
    std::vector<std::uint64_t> sequences;
    for (std::size_t i = first; i < end; ++i) {
      if (candidates[i].at_from != 0) sequences.push_back(candidates[i].at_from);
      sequences.push_back(candidates[i].at_to);
    }
    auto events = log.EventsAt(sequences);
    if (!events.ok()) return events.status();
    std::size_t next_event = 0;
    for (std::size_t i = first; i < end; ++i) {
      std::shared_ptr<const FlagRecord> before, after;
      if (candidates[i].at_from != 0) {
        auto record = RecordAfterEvent((*events)[next_event++]);
        if (!record.ok()) return record.status();
        before = std::move(*record);
      }
      auto record = RecordAfterEvent((*events)[next_event++]);
      if (!record.ok()) return record.status();
      after = std::move(*record);
      if (SameState(before.get(), after.get())) continue;
      if (diff.flags.size() == limit) {
        diff.has_more = true;
        break;
      }
      FlagDifference& difference = diff.flags.emplace_back();
      difference.flag_key = candidates[i].flag_key;
      difference.from = std::move(before);
      difference.to = std::move(after);
    }
  }
  for (FlagDifference& difference : diff.flags) {
    EventRange between;
    between.after = from;
    between.before = to + 1;
    between.limit = kMaxDiffEvents + 1;
    Status failure;
    Status scanned = log.ScanFlag(
        organization_id, difference.flag_key, between, [&](std::uint64_t, std::string_view json) {
          if (difference.events.size() == kMaxDiffEvents) {
            difference.events_truncated = true;
            return false;
          }
          auto event = decoder.Decode(json, EventDecoder::Parts::kWithoutChanges);
          if (!event.ok()) {
            failure = event.status();
            return false;
          }
          difference.events.push_back(std::move(*event));
          return true;
        });
    if (!scanned.ok()) return scanned;
    if (!failure.ok()) return failure;
  }
  return diff;
}

}  // namespace flagledger

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
  OrganizationDiff diff;
  // The keys whose newest event differs between the two points (others did not change), with
  // those two events' sequences (0: none yet), a batch at a time: a page walks only as many
  // flag streams as it needs.
  struct Candidate {
    std::string flag_key;
    std::uint64_t at_from, at_to;
  };
  constexpr std::size_t kBatch = 128;
  const std::uint64_t points[] = {from, to};
  std::string walked_past(after_key);
  std::vector<Candidate> candidates;
  for (bool walk_done = false; !walk_done && !diff.has_more;) {
    candidates.clear();
    walk_done = true;
    Status walked =
        log.ForEachFlagStreamAt(organization_id, points, walked_past,
                                [&](std::string_view key, std::span<const std::uint64_t> at) {
                                  if (at[0] != at[1])
                                    candidates.push_back({std::string(key), at[0], at[1]});
                                  if (candidates.size() < kBatch) return true;
                                  walk_done = false;
                                  return false;
                                });
    if (!walked.ok()) return walked;
    if (candidates.empty()) break;
    walked_past = candidates.back().flag_key;

    std::vector<std::uint64_t> sequences;
    for (const Candidate& candidate : candidates) {
      if (candidate.at_from != 0) sequences.push_back(candidate.at_from);
      sequences.push_back(candidate.at_to);
    }
    auto events = log.EventsAt(sequences);
    if (!events.ok()) return events.status();
    std::size_t next_event = 0;
    for (Candidate& candidate : candidates) {
      std::shared_ptr<const FlagRecord> before, after;
      if (candidate.at_from != 0) {
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
      difference.flag_key = std::move(candidate.flag_key);
      difference.from = std::move(before);
      difference.to = std::move(after);
    }
  }
  EventDecoder decoder;
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

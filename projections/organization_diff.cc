#include "projections/organization_diff.h"

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
  std::vector<std::string> keys;  // first: the log's visitors must not call back into it
  Status listed = log.ForEachFlagKey(organization_id, [&](std::string_view key) {
    if (key > after_key) keys.emplace_back(key);
    return true;
  });
  if (!listed.ok()) return listed;
  OrganizationDiff diff;
  EventDecoder decoder;
  for (const std::string& key : keys) {
    // The newest event at or before `to`; nothing in (from, to] leaves the flag as it was.
    EventRange newest;
    newest.after = from;
    newest.before = to + 1;
    newest.descending = true;
    newest.limit = 1;
    bool changed = false;
    Status probed =
        log.ScanFlag(organization_id, key, newest, [&](std::uint64_t, std::string_view) {
          changed = true;
          return false;
        });
    if (!probed.ok()) return probed;
    if (!changed) continue;
    auto before = FlagAt(log, organization_id, key, from);
    if (!before.ok()) return before.status();
    auto after = FlagAt(log, organization_id, key, to);
    if (!after.ok()) return after.status();
    if (SameState(before->get(), after->get())) continue;
    if (diff.flags.size() == limit) {
      diff.has_more = true;
      break;
    }
    FlagDifference& difference = diff.flags.emplace_back();
    difference.flag_key = key;
    difference.from = std::move(*before);
    difference.to = std::move(*after);
    EventRange between;
    between.after = from;
    between.before = to + 1;
    between.limit = kMaxDiffEvents + 1;
    Status failure;
    Status scanned =
        log.ScanFlag(organization_id, key, between, [&](std::uint64_t, std::string_view json) {
          if (difference.events.size() == kMaxDiffEvents) {
            difference.events_truncated = true;
            return false;
          }
          auto event = decoder.Decode(json);
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

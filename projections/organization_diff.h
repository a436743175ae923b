// The difference between an organization at two points of the log (docs/api.md, "Diff"):
// every flag whose state differs, its state at both ends, and the events between them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "events/event_log.h"
#include "projections/flag_record.h"

namespace flagledger {

struct FlagDifference {
  std::string flag_key;
  std::shared_ptr<const FlagRecord> from;  // null: the flag did not exist at the start
  std::shared_ptr<const FlagRecord> to;    // null: it did not exist at the end
  std::vector<Event> events;               // its events in between, oldest first
  bool events_truncated = false;           // more than kMaxDiffEvents: the oldest are listed
};

struct OrganizationDiff {
  std::vector<FlagDifference> flags;  // ascending by key
  bool has_more = false;              // more differing flags follow the last one
};

inline constexpr std::size_t kMaxDiffEvents = 1000;

// What changed between the state right after event `from` and right after event `to` (from
// <= to): flags whose existence, enabled, rollout_condition or created_at (a re-create)
// differ, with keys after `after_key`, at most `limit`. A flag changed and changed back is
// not listed. Walks the organization's keys in order only as far as the page needs (a few
// seeks per key walked), then reads the events of the flags listed. Thread-safe.
Result<OrganizationDiff> DiffOrganization(const EventLog& log, std::string_view organization_id,
                                          std::uint64_t from, std::uint64_t to,
                                          std::string_view after_key, std::size_t limit);

}  // namespace flagledger

// When a flag was on for a client version over a span of time (docs/api.md, "Timeline"):
// computed from the flag's events in the span and its activation date, never by replaying.
#pragma once

#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/timestamp.h"
#include "events/event_log.h"

namespace flagledger {

// [from, to): the flag was on for the version throughout.
struct OnInterval {
  Timestamp from;
  Timestamp to;
};

// The intervals within [from, to) during which the flag evaluated to on for `version`
// (core/evaluation.h), in order, adjacent ones merged. REQUIRES: from <= to. Costs O(log n)
// plus the flag's events in the span. Thread-safe.
Result<std::vector<OnInterval>> FlagOnIntervals(const EventLog& log,
                                                std::string_view organization_id,
                                                std::string_view flag_key, std::string_view version,
                                                Timestamp from, Timestamp to);

}  // namespace flagledger

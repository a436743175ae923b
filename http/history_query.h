// A history request's parameters (docs/api.md, "History filters"): the window, the order, the
// filters and the page size, read from a query string or from `flagledger history`'s options.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/timestamp.h"
#include "events/event_filter.h"
#include "events/event_log.h"

namespace flagledger {

// Which view is asked: it decides which filters apply.
enum class HistoryView { kLog, kOrganization, kFlag };

struct HistoryQuery {
  EventFilter filter;
  EventRange range;          // after, before (from and to folded in), order, limit
  bool limit_given = false;  // `limit` was sent
};

// A parameter's value by its query name, or nullopt when absent.
using ParamLookup = std::function<std::optional<std::string_view>(std::string_view name)>;

// The query parameters of each view (CheckQueryNames' list).
inline constexpr std::string_view kLogHistoryParams[] = {"after", "before", "limit", "order",
                                                         "from",  "to",     "actor", "type"};
inline constexpr std::string_view kOrgHistoryParams[] = {
    "after", "before", "limit", "order",    "from",
    "to",    "actor",  "type",  "flag_key", "flag_key_prefix"};

// Reads the parameters; `from` and `to` are resolved to sequences through the log's time
// index. Without `limit`, a page holds kDefaultLimit events and an export everything.
// Failures are 400 invalid_query naming the parameter.
Result<HistoryQuery> ParseHistoryQuery(const EventLog& log, const ParamLookup& param,
                                       HistoryView view, bool exporting);

// The integer in parameter `name` within [min, max], or `fallback` when absent.
Result<std::uint64_t> ParamInteger(const ParamLookup& param, std::string_view name,
                                   std::uint64_t fallback, std::uint64_t min, std::uint64_t max);
// The time in parameter `name` (ParseTimeInput), or nullopt when absent.
Result<std::optional<Timestamp>> ParamTime(const ParamLookup& param, std::string_view name);

// A point of the log as a request named it: a sequence, and the time it was given by (if any).
struct LogPoint {
  std::uint64_t sequence = 0;
  std::optional<Timestamp> time;
};
// The point named by `time_name` (a time: the newest event recorded at or before it) or
// `event_name` (a sequence, at most the newest), never both; the newest event when neither is
// given and `required` is false.
Result<LogPoint> ResolveLogPoint(const EventLog& log, const ParamLookup& param,
                                 std::string_view time_name, std::string_view event_name,
                                 bool required);

inline constexpr std::uint64_t kDefaultHistoryLimit = 100;
inline constexpr std::uint64_t kMaxHistoryLimit = 1000;

}  // namespace flagledger

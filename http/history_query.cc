#include "http/history_query.h"

#include <algorithm>
#include <charconv>

#include "core/identifier.h"
#include "core/timestamp.h"
#include "http/problem.h"

namespace flagledger {
namespace {

constexpr std::size_t kMaxActorLength = 1024;  // bytes: a token name is <= 128 characters
constexpr std::size_t kMaxTypes = 16;

Status Invalid(std::string detail) { return Status(ErrorCode::kInvalidQuery, std::move(detail)); }

Status ReadTypes(std::string_view text, HistoryView view, std::vector<EventType>& types) {
  while (true) {
    std::size_t comma = text.find(',');
    std::string_view name = text.substr(0, comma);
    auto type = ParseEventType(name);
    if (!type) {
      std::string known;
      for (const EventTypeInfo& info : kEventTypes) {
        if (view != HistoryView::kLog && info.subject == EventSubject::kToken) continue;
        known.append(known.empty() ? "" : ", ").append(info.name);
      }
      return Invalid("query parameter 'type' names an unknown event type '" +
                     QuoteForMessage(name) + "'; the types here are " + known +
                     " (several: comma-separated)");
    }
    if (view != HistoryView::kLog && IsTokenEvent(*type)) {
      return Invalid("query parameter 'type': token events are only in /api/v1/events");
    }
    if (std::find(types.begin(), types.end(), *type) == types.end()) types.push_back(*type);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    if (types.size() > kMaxTypes) return Invalid("query parameter 'type' names too many types");
  }
  return Status::Ok();
}

}  // namespace

Result<std::uint64_t> ParamInteger(const ParamLookup& param, std::string_view name,
                                   std::uint64_t fallback, std::uint64_t min, std::uint64_t max) {
  auto value = param(name);
  if (!value) return fallback;
  std::uint64_t number = 0;
  auto [end, error] = std::from_chars(value->data(), value->data() + value->size(), number);
  if (value->empty() || error != std::errc() || end != value->data() + value->size() ||
      number < min || number > max) {
    return Invalid("query parameter '" + std::string(name) + "' must be an integer from " +
                   std::to_string(min) + " to " + std::to_string(max));
  }
  return number;
}

Result<std::optional<Timestamp>> ParamTime(const ParamLookup& param, std::string_view name) {
  auto value = param(name);
  if (!value) return std::optional<Timestamp>();
  auto time = ParseTimeInput(*value);
  if (!time.ok()) {
    return Invalid("query parameter '" + std::string(name) + "' " + time.status().detail());
  }
  return std::optional<Timestamp>(*time);
}

Result<LogPoint> ResolveLogPoint(const EventLog& log, const ParamLookup& param,
                                 std::string_view time_name, std::string_view event_name,
                                 bool required) {
  auto time = ParamTime(param, time_name);
  if (!time.ok()) return time.status();
  auto event = param(event_name);
  if (*time && event) {
    return Invalid("give " + std::string(time_name) + " or " + std::string(event_name) +
                   ", not both");
  }
  std::uint64_t newest = log.last_sequence();
  LogPoint point;
  if (event) {
    auto sequence = ParamInteger(param, event_name, 0, 0, EventRange::kEnd);
    if (!sequence.ok()) return sequence.status();
    if (*sequence > newest) {
      return Invalid("query parameter '" + std::string(event_name) + "' (" +
                     std::to_string(*sequence) + ") is after the newest event, " +
                     std::to_string(newest));
    }
    point.sequence = *sequence;
  } else if (*time) {
    auto sequence = log.SequenceAt(**time);
    if (!sequence.ok()) return sequence.status();
    point.sequence = *sequence;
    point.time = *time;
  } else if (required) {
    return Invalid(std::string(time_name) + " or " + std::string(event_name) +
                   " is required, e.g. " + std::string(time_name) + "=2026-12-01T14:00:00Z");
  } else {
    point.sequence = newest;
  }
  return point;
}

Result<HistoryQuery> ParseHistoryQuery(const EventLog& log, const ParamLookup& param,
                                       HistoryView view, bool exporting) {
  HistoryQuery query;
  EventRange& range = query.range;
  auto order = param("order");
  if (order && *order != "asc" && *order != "desc") {
    return Invalid("query parameter 'order' must be asc or desc");
  }
  range.descending = order && *order == "desc";
  auto after = ParamInteger(param, "after", 0, 0, EventRange::kEnd - 1);
  if (!after.ok()) return after.status();
  auto before = ParamInteger(param, "before", EventRange::kEnd, 1, EventRange::kEnd);
  if (!before.ok()) return before.status();
  // An export is as long as asked; a page at most kMaxHistoryLimit.
  auto limit = ParamInteger(param, "limit", exporting ? EventRange::kEnd : kDefaultHistoryLimit, 1,
                            exporting ? EventRange::kEnd : kMaxHistoryLimit);
  if (!limit.ok()) return limit.status();
  query.limit_given = param("limit").has_value();
  range.after = *after;
  range.before = *before;
  range.limit = *limit == EventRange::kEnd ? std::numeric_limits<std::size_t>::max()
                                           : static_cast<std::size_t>(*limit);

  auto from = ParamTime(param, "from");
  if (!from.ok()) return from.status();
  auto to = ParamTime(param, "to");
  if (!to.ok()) return to.status();
  if (*from && *to && **from > **to) {
    return Invalid("query parameter 'from' (" + (*from)->ToMicrosString() + ") is after 'to' (" +
                   (*to)->ToMicrosString() + ")");
  }
  if (*from || *to) {
    auto bounds = log.SequencesRecordedBetween(*from, *to);
    if (!bounds.ok()) return bounds.status();
    range.after = std::max(range.after, bounds->first);
    range.before = std::min(range.before, bounds->second);
  }

  if (auto actor = param("actor")) {
    if (actor->empty() || actor->size() > kMaxActorLength) {
      return Invalid("query parameter 'actor' must be 1 to " + std::to_string(kMaxActorLength) +
                     " bytes: the actor recorded in the events (a token's name)");
    }
    query.filter.actors.emplace_back(*actor);
  }
  if (auto types = param("type")) {
    Status read = ReadTypes(*types, view, query.filter.types);
    if (!read.ok()) return read;
  }
  auto flag_key = param("flag_key");
  auto prefix = param("flag_key_prefix");
  if (flag_key && prefix) return Invalid("give flag_key or flag_key_prefix, not both");
  if (flag_key) {
    if (!IsValidIdentifier(*flag_key)) {
      return Invalid("query parameter 'flag_key' is not a valid flag key");
    }
    query.filter.flag_key = std::string(*flag_key);
  }
  if (prefix) {
    if (!IsValidIdentifier(*prefix)) {
      return Invalid(
          "query parameter 'flag_key_prefix' must be the start of a flag key: 1 to 128 "
          "characters from A-Z a-z 0-9 . _ -, the first a letter or digit");
    }
    query.filter.flag_key_prefix = std::string(*prefix);
  }
  return query;
}

}  // namespace flagledger

#include "http/history_handlers.h"

#include <charconv>

#include "core/json_writer.h"
#include "http/event_stream.h"
#include "http/problem.h"
#include "http/query_params.h"

namespace flagledger {
namespace {

constexpr std::uint64_t kDefaultLimit = 100;
constexpr std::uint64_t kMaxLimit = 1000;

Result<EventRange> ParseRange(const RequestTarget& target) {
  Status names = CheckQueryNames(target, {"after", "before", "limit", "order"});
  if (!names.ok()) return names;
  EventRange range;
  auto order = QueryValue(target, "order");
  if (order && *order != "asc" && *order != "desc") {
    return Status(ErrorCode::kInvalidQuery, "query parameter 'order' must be asc or desc");
  }
  range.descending = order && *order == "desc";
  auto after = QueryInteger(target, "after", 0, 0, EventRange::kEnd - 1);
  if (!after.ok()) return after.status();
  auto before = QueryInteger(target, "before", EventRange::kEnd, 1, EventRange::kEnd);
  if (!before.ok()) return before.status();
  auto limit = QueryInteger(target, "limit", kDefaultLimit, 1, kMaxLimit);
  if (!limit.ok()) return limit.status();
  range.after = *after;
  range.before = *before;
  range.limit = *limit;
  return range;
}

}  // namespace

void HandleHistory(FlagStore& store, const RequestContext& context, Route route,
                   const Responder& respond) {
  auto fail = [&](const Status& status) { respond(ProblemResponse(status)); };
  auto range = ParseRange(context.target);
  if (!range.ok()) return fail(range.status());
  const EventLog& log = store.log();

  if (route == Route::kFlagHistory) {  // a key that never existed has no history to page
    auto any = log.FlagEventAt(context.organization_id, context.flag_key, EventRange::kEnd);
    if (!any.ok()) return fail(any.status());
    if (!any->has_value()) {
      return fail(Status(ErrorCode::kFlagNotFound, "flag '" + context.flag_key +
                                                       "' has no history in organization '" +
                                                       context.organization_id + "'"));
    }
  }
  std::string body = "{\"data\":[";
  std::uint64_t last = 0;
  EventVisitor append = [&](std::uint64_t sequence, std::string_view json) {
    if (last != 0) body.push_back(',');
    body.append(json);  // stored exactly as the contract renders it
    last = sequence;
    return true;
  };
  Status scanned = route == Route::kAllEvents ? log.Scan(*range, append)
                   : route == Route::kOrgEvents
                       ? log.ScanOrganization(context.organization_id, *range, append)
                       : log.ScanFlag(context.organization_id, context.flag_key, *range, append);
  if (!scanned.ok()) return fail(scanned);
  body += "],\"next_after\":";
  if (last == 0) {
    body += "null";
  } else {
    AppendJsonUint(body, last);
  }
  body.push_back('}');
  respond(JsonResponse(200, std::move(body)));
}

void HandleEventStream(FlagStore& store, const RequestContext& context, const Responder& respond) {
  auto fail = [&](const Status& status) { respond(ProblemResponse(status)); };
  Status names = CheckQueryNames(context.target, {"after"});
  if (!names.ok()) return fail(names);
  // Where to start: Last-Event-ID (a reconnecting EventSource sends it) wins over ?after=;
  // without either, only events appended from now on.
  // A malformed ?after= is refused even where Last-Event-ID decides.
  auto from =
      QueryInteger(context.target, "after", store.snapshot()->sequence, 0, EventRange::kEnd - 1);
  if (!from.ok()) return fail(from.status());
  std::uint64_t after = *from;
  std::string_view last_event_id = context.request.last_event_id;
  if (!last_event_id.empty()) {
    auto [end, error] =
        std::from_chars(last_event_id.data(), last_event_id.data() + last_event_id.size(), after);
    if (error != std::errc() || end != last_event_id.data() + last_event_id.size()) {
      return fail(Status(ErrorCode::kInvalidQuery,
                         "Last-Event-ID must be the sequence of an event, e.g. 42"));
    }
  }
  HttpResponse response;
  response.content_type = MediaType::kEventStream;
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back("X-Accel-Buffering", "no");
  response.stream = std::make_shared<EventStream>(store.log(), context.organization_id, after);
  respond(std::move(response));
}

}  // namespace flagledger

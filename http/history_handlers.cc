#include "http/history_handlers.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <span>

#include "core/json_writer.h"
#include "http/batch_stream.h"
#include "http/event_stream.h"
#include "http/history_export.h"
#include "http/history_query.h"
#include "http/problem.h"
#include "http/query_params.h"

namespace flagledger {
namespace {

// The format the Accept header asks for: its first media range (q above 0) that names
// NDJSON, CSV or JSON (application/json, application/*, */*); JSON when none does.
std::optional<ExportFormat> RequestedExport(std::string_view accept) {
  while (!accept.empty()) {
    std::size_t comma = accept.find(',');
    std::string_view range = accept.substr(0, comma);
    accept.remove_prefix(comma == std::string_view::npos ? accept.size() : comma + 1);
    std::size_t semicolon = range.find(';');
    std::string type;
    for (char c : range.substr(0, semicolon)) {
      if (c != ' ' && c != '\t') type.push_back(static_cast<char>(std::tolower(c)));
    }
    bool refused = false;  // q=0
    for (std::size_t at = semicolon; at != std::string_view::npos;) {
      std::size_t end = range.find(';', at + 1);
      std::string_view parameter =
          range.substr(at + 1, end == std::string_view::npos ? end : end - at - 1);
      while (!parameter.empty() && parameter.front() == ' ') parameter.remove_prefix(1);
      if (parameter.starts_with("q=") || parameter.starts_with("Q=")) {
        refused = parameter.substr(2).find_first_not_of("0.") == std::string_view::npos;
      }
      at = end;
    }
    if (refused) continue;
    if (type == "application/x-ndjson") return ExportFormat::kNdjson;
    if (type == "text/csv") return ExportFormat::kCsv;
    if (type == "application/json" || type == "application/*" || type == "*/*") break;
  }
  return std::nullopt;
}

std::span<const std::string_view> ParamsOf(Route route) {
  if (route == Route::kOrgEvents) return kOrgHistoryParams;
  return kLogHistoryParams;
}

}  // namespace

void HandleLogHead(FlagStore& store, const RequestContext& context, const Responder& respond) {
  Status names = CheckQueryNames(context.target, {});
  if (!names.ok()) return respond(ProblemResponse(names));
  auto head = store.log().Head();
  if (!head.ok()) return respond(ProblemResponse(head.status()));
  std::string body = "{\"sequence\":";
  AppendJsonUint(body, head->sequence);
  body += ",\"hash\":";
  AppendJsonString(body, head->hash);
  body += ",\"head\":";
  AppendJsonString(body, FormatChainHead(*head));
  body += '}';
  respond(JsonResponse(200, std::move(body)));
}

void HandleHistory(FlagStore& store, const RequestContext& context, Route route,
                   const Responder& respond) {
  auto fail = [&](const Status& status) { respond(ProblemResponse(status)); };
  Status names = CheckQueryNames(context.target, ParamsOf(route));
  if (!names.ok()) return fail(names);
  std::optional<ExportFormat> exporting = RequestedExport(context.request.accept);
  HistoryView view = route == Route::kAllEvents || route == Route::kOrgTokenEvents
                         ? HistoryView::kLog
                     : route == Route::kOrgEvents ? HistoryView::kOrganization
                                                  : HistoryView::kFlag;
  const EventLog& log = store.log();
  auto query = ParseHistoryQuery(log, LookupIn(context.target), view, exporting.has_value());
  if (!query.ok()) return fail(query.status());

  if (route == Route::kFlagHistory) {  // a key that never existed has no history to page
    auto any = log.FlagEventAt(context.organization_id, context.flag_key, EventRange::kEnd);
    if (!any.ok()) return fail(any.status());
    if (!any->has_value()) {
      return fail(Status(ErrorCode::kFlagNotFound, "flag '" + context.flag_key +
                                                       "' has no history in organization '" +
                                                       context.organization_id + "'"));
    }
    query->filter.flag_key = context.flag_key;
  }
  query->filter.organization_id = context.organization_id;
  if (route == Route::kOrgTokenEvents) {  // the system stream's events about the org's tokens
    query->filter.organization_id = kSystemStream;
    query->filter.token_organization_id = context.organization_id;
  }

  if (exporting) {
    HttpResponse response;
    response.content_type =
        *exporting == ExportFormat::kNdjson ? MediaType::kNdjson : MediaType::kCsv;
    response.stream =
        std::make_shared<HistoryExport>(log, std::move(query->filter), query->range, *exporting);
    return respond(std::move(response));
  }
  // One event more than the page, to tell whether another follows.
  std::size_t limit = query->range.limit;
  EventRange range = query->range;
  range.limit = limit + 1;
  std::string body = "{\"data\":[";
  std::uint64_t last = 0;
  std::size_t count = 0;
  bool has_more = false;
  Status scanned =
      log.Query(query->filter, range, [&](std::uint64_t sequence, std::string_view json) {
        if (count == limit) {  // the one past the page
          has_more = true;
          return false;
        }
        if (count++ != 0) body.push_back(',');
        body.append(json);  // stored exactly as the contract renders it
        last = sequence;
        return true;
      });
  if (!scanned.ok()) return fail(scanned);
  body += "],\"next_after\":";
  if (last == 0) {
    body += "null";
  } else {
    AppendJsonUint(body, last);
  }
  body += ",\"has_more\":";
  AppendJsonBool(body, has_more);
  body.push_back('}');
  respond(JsonResponse(200, std::move(body)));
}

void HandleEventStream(FlagStore& store, const RequestContext& context, const Responder& respond) {
  auto fail = [&](const Status& status) { respond(ProblemResponse(status)); };
  const bool whole_log = context.organization_id.empty();
  Status names = whole_log ? CheckQueryNames(context.target, {"after", "batches"})
                           : CheckQueryNames(context.target, {"after"});
  if (!names.ok()) return fail(names);
  bool batches = false;
  if (auto value = QueryValue(context.target, "batches")) {
    if (*value != "true" && *value != "false") {
      return fail(Status(ErrorCode::kInvalidQuery, "batches must be true or false"));
    }
    batches = *value == "true";
  }
  // Where to start: Last-Event-ID (a reconnecting EventSource sends it) wins over ?after=;
  // without either, only events appended from now on.
  // A malformed ?after= is refused even where Last-Event-ID decides.
  auto from =
      QueryInteger(context.target, "after", store.snapshot()->sequence, 0, EventRange::kEnd - 1);
  if (!from.ok()) return fail(from.status());
  std::uint64_t after = *from;
  std::string_view last_event_id = context.request.last_event_id;
  if (!last_event_id.empty()) {
    auto resumed = ParseDecimal(last_event_id);
    if (!resumed) {
      return fail(Status(ErrorCode::kInvalidQuery,
                         "Last-Event-ID must be the sequence of an event, e.g. 42"));
    }
    after = *resumed;
  }
  HttpResponse response;
  response.content_type = MediaType::kEventStream;
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back("X-Accel-Buffering", "no");
  if (batches) {
    Status start = BatchStream::CheckStart(store.log(), after);
    if (!start.ok()) return fail(start);
    response.stream = std::make_shared<BatchStream>(store.log(), store.clock(), after);
  } else {
    response.stream = std::make_shared<EventStream>(store.log(), context.organization_id, after);
  }
  respond(std::move(response));
}

}  // namespace flagledger

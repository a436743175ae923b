#include "http/audit_handlers.h"

#include <limits>

#include "core/evaluation.h"
#include "core/identifier.h"
#include "core/json_writer.h"
#include "http/history_query.h"
#include "http/problem.h"
#include "http/query_params.h"
#include "projections/flag_timeline.h"
#include "projections/point_in_time.h"

namespace flagledger {
namespace {

constexpr std::uint64_t kDefaultDiffLimit = 100;
constexpr std::uint64_t kMaxDiffLimit = 1000;
constexpr std::uint64_t kDefaultEvaluationLimit = 100;
constexpr std::uint64_t kMaxEvaluationLimit = 1000;
constexpr std::uint64_t kMaxPageNumber = (std::uint64_t{1} << 53) - 1;

Status Invalid(std::string detail) { return Status(ErrorCode::kInvalidQuery, std::move(detail)); }

void AppendPoint(std::string& out, const LogPoint& point) {
  out += "{\"event_sequence\":";
  AppendJsonUint(out, point.sequence);
  out += ",\"at\":";
  AppendJsonMicrosOrNull(out, point.time);
  out.push_back('}');
}

}  // namespace

std::string_view ChangeKind(const FlagRecord* from, const FlagRecord* to) {
  if (!from) return "created";
  if (!to) return "deleted";
  if (from->flag.created_at != to->flag.created_at) return "recreated";
  return "updated";
}

void AppendEventSummaries(std::string& out, const std::vector<Event>& events) {
  out.push_back('[');
  for (std::size_t j = 0; j < events.size(); ++j) {
    const Event& event = events[j];
    if (j != 0) out.push_back(',');
    out += "{\"sequence\":";
    AppendJsonUint(out, event.sequence);
    out += ",\"type\":";
    AppendJsonString(out, EventTypeName(event.type));
    out += ",\"actor\":";
    AppendJsonString(out, event.actor);
    out += ",\"recorded_at\":\"";
    event.recorded_at.AppendMicros(out);
    out += "\",\"request_id\":";
    AppendJsonString(out, event.request_id);
    out.push_back('}');
  }
  out.push_back(']');
}

std::string OrganizationDiffJson(std::string_view organization_id, const LogPoint& from,
                                 const LogPoint& to, const OrganizationDiff& diff) {
  std::string body = "{\"organization_id\":";
  AppendJsonString(body, organization_id);
  body += ",\"from\":";
  AppendPoint(body, from);
  body += ",\"to\":";
  AppendPoint(body, to);
  body += ",\"data\":[";
  for (std::size_t i = 0; i < diff.flags.size(); ++i) {
    const FlagDifference& difference = diff.flags[i];
    if (i != 0) body.push_back(',');
    body += "{\"flag_key\":";
    AppendJsonString(body, difference.flag_key);
    body += ",\"change\":\"";
    body += ChangeKind(difference.from.get(), difference.to.get());
    body += "\",\"from\":";
    body += difference.from ? difference.from->json : "null";
    body += ",\"to\":";
    body += difference.to ? difference.to->json : "null";
    body += ",\"events\":";
    AppendEventSummaries(body, difference.events);
    body += ",\"events_truncated\":";
    AppendJsonBool(body, difference.events_truncated);
    body.push_back('}');
  }
  body += "],\"next_after_key\":";
  if (diff.flags.empty()) {
    body += "null";
  } else {
    AppendJsonString(body, diff.flags.back().flag_key);
  }
  body += ",\"has_more\":";
  AppendJsonBool(body, diff.has_more);
  body.push_back('}');
  return body;
}

void HandleOrganizationDiff(FlagStore& store, const RequestContext& context,
                            const Responder& respond) {
  auto fail = [&](const Status& status) { respond(ProblemResponse(status)); };
  Status names = CheckQueryNames(context.target,
                                 {"from", "from_event", "to", "to_event", "after_key", "limit"});
  if (!names.ok()) return fail(names);
  const EventLog& log = store.log();
  auto from = ResolveLogPoint(log, LookupIn(context.target), "from", "from_event", true);
  if (!from.ok()) return fail(from.status());
  auto to = ResolveLogPoint(log, LookupIn(context.target), "to", "to_event", false);
  if (!to.ok()) return fail(to.status());
  if (from->time && to->time && *from->time > *to->time) {
    return fail(Invalid("query parameter 'from' is after 'to'"));
  }
  if (from->sequence > to->sequence) {
    return fail(Invalid("the 'from' point (event " + std::to_string(from->sequence) +
                        ") is after the 'to' point (event " + std::to_string(to->sequence) + ")"));
  }
  auto limit = QueryInteger(context.target, "limit", kDefaultDiffLimit, 1, kMaxDiffLimit);
  if (!limit.ok()) return fail(limit.status());
  std::string after_key;
  if (auto key = QueryValue(context.target, "after_key")) {
    if (!IsValidIdentifier(*key)) {
      return fail(Invalid("query parameter 'after_key' is not a valid flag key"));
    }
    after_key = std::string(*key);
  }
  auto diff = DiffOrganization(log, context.organization_id, from->sequence, to->sequence,
                               after_key, *limit);
  if (!diff.ok()) return fail(diff.status());
  HttpResponse response =
      JsonResponse(200, OrganizationDiffJson(context.organization_id, *from, *to, *diff));
  response.event_sequence = to->sequence;
  respond(std::move(response));
}

void HandleOrganizationEvaluation(FlagStore& store, const RequestContext& context,
                                  const Responder& respond) {
  auto fail = [&](const Status& status) { respond(ProblemResponse(status)); };
  Status names = CheckQueryNames(context.target, {"version", "at", "page", "limit"});
  if (!names.ok()) return fail(names);
  auto version = QueryClientVersion(context.target);
  if (!version.ok()) return fail(version.status());
  auto page = QueryInteger(context.target, "page", 1, 1, kMaxPageNumber);
  if (!page.ok()) return fail(page.status());
  auto limit =
      QueryInteger(context.target, "limit", kDefaultEvaluationLimit, 1, kMaxEvaluationLimit);
  if (!limit.ok()) return fail(limit.status());
  auto at_time = QueryTime(context.target, "at");
  if (!at_time.ok()) return fail(at_time.status());

  Timestamp at = store.clock().Now();
  std::uint64_t sequence = 0;
  std::vector<std::shared_ptr<const FlagRecord>> flags;
  if (*at_time) {
    at = **at_time;
    auto found = store.log().SequenceAt(at);
    if (!found.ok()) return fail(found.status());
    sequence = *found;
    auto past = OrganizationAt(store.log(), context.organization_id, sequence);
    if (!past.ok()) return fail(past.status());
    flags = std::move(*past);
  } else {
    auto snapshot = store.snapshot();
    sequence = snapshot->sequence;
    if (const OrgState* org = snapshot->FindOrganization(context.organization_id)) {
      for (const auto& record : org->flags()) flags.push_back(record);
    }
  }
  std::string body = "{\"organization_id\":";
  AppendJsonString(body, context.organization_id);
  body += ",\"version\":";
  AppendJsonString(body, *version);
  body += ",\"evaluated_at\":\"";
  at.AppendMicros(body);
  body += "\",\"event_sequence\":";
  AppendJsonUint(body, sequence);
  body += ",\"data\":[";
  std::uint64_t offset = (*page - 1) * *limit;
  for (std::uint64_t i = offset; i < flags.size() && i < offset + *limit; ++i) {
    const FlagRecord& record = *flags[i];
    Evaluation evaluation = Evaluate(record.flag, *version, at);
    if (i != offset) body.push_back(',');
    body += "{\"flag_key\":";
    AppendJsonString(body, record.flag.flag_key);
    body += ",\"value\":";
    AppendJsonBool(body, evaluation.value);
    body += ",\"reason\":";
    AppendJsonString(body, EvaluationReasonName(evaluation.reason));
    body += ",\"flag_version\":";
    AppendJsonUint(body, record.version);
    body.push_back('}');
  }
  body += "],\"pagination\":{\"page\":";
  AppendJsonUint(body, *page);
  body += ",\"limit\":";
  AppendJsonUint(body, *limit);
  body += ",\"total\":";
  AppendJsonUint(body, flags.size());
  body += "}}";
  HttpResponse response = JsonResponse(200, std::move(body));
  response.event_sequence = sequence;
  respond(std::move(response));
}

void HandleFlagTimeline(FlagStore& store, const RequestContext& context, const Responder& respond) {
  auto fail = [&](const Status& status) { respond(ProblemResponse(status)); };
  Status names = CheckQueryNames(context.target, {"version", "from", "to"});
  if (!names.ok()) return fail(names);
  auto version = QueryClientVersion(context.target);
  if (!version.ok()) return fail(version.status());
  auto from = QueryTime(context.target, "from");
  if (!from.ok()) return fail(from.status());
  if (!*from) return fail(Invalid("from is required, e.g. ?from=2026-12-01T00:00:00Z"));
  auto to_time = QueryTime(context.target, "to");
  if (!to_time.ok()) return fail(to_time.status());
  Timestamp to = *to_time ? **to_time : store.clock().Now();
  if (**from > to) {
    return fail(Invalid("query parameter 'from' (" + (*from)->ToMicrosString() +
                        ") is after 'to' (" + to.ToMicrosString() + ")"));
  }
  const EventLog& log = store.log();
  auto any = log.FlagEventAt(context.organization_id, context.flag_key, EventRange::kEnd);
  if (!any.ok()) return fail(any.status());
  if (!any->has_value()) {
    return fail(Status(ErrorCode::kFlagNotFound, "flag '" + context.flag_key +
                                                     "' has no history in organization '" +
                                                     context.organization_id + "'"));
  }
  auto sequence = log.SequenceAt(to);
  if (!sequence.ok()) return fail(sequence.status());
  auto intervals =
      FlagOnIntervals(log, context.organization_id, context.flag_key, *version, **from, to);
  if (!intervals.ok()) return fail(intervals.status());
  std::string body = "{\"flag_key\":";
  AppendJsonString(body, context.flag_key);
  body += ",\"organization_id\":";
  AppendJsonString(body, context.organization_id);
  body += ",\"version\":";
  AppendJsonString(body, *version);
  body += ",\"from\":\"";
  (*from)->AppendMicros(body);
  body += "\",\"to\":\"";
  to.AppendMicros(body);
  body += "\",\"intervals\":[";
  for (std::size_t i = 0; i < intervals->size(); ++i) {
    if (i != 0) body.push_back(',');
    body += "{\"from\":\"";
    (*intervals)[i].from.AppendMicros(body);
    body += "\",\"to\":\"";
    (*intervals)[i].to.AppendMicros(body);
    body += "\"}";
  }
  body += "],\"event_sequence\":";
  AppendJsonUint(body, *sequence);
  body.push_back('}');
  HttpResponse response = JsonResponse(200, std::move(body));
  response.event_sequence = *sequence;
  respond(std::move(response));
}

}  // namespace flagledger

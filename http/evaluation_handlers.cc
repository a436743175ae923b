#include "http/evaluation_handlers.h"

#include "core/api_token.h"
#include "core/evaluation.h"
#include "core/identifier.h"
#include "core/json_writer.h"
#include "core/sha256.h"
#include "http/entity_tags.h"
#include "http/problem.h"
#include "http/query_params.h"
#include "http/request_body.h"
#include "projections/point_in_time.h"

namespace flagledger {
namespace {

// OpenFeature's reason for ours: a rule that switched the flag off is still a targeting
// match (variant "off"); a rule that could not be applied for want of a usable version falls
// back to the default (off).
std::string_view OpenFeatureReason(EvaluationReason reason) {
  switch (reason) {
    case EvaluationReason::kDisabled:
      return "DISABLED";
    case EvaluationReason::kStatic:
      return "STATIC";
    case EvaluationReason::kTargetingMatch:
    case EvaluationReason::kVersionBelowMinimum:
    case EvaluationReason::kBeforeActivation:
      return "TARGETING_MATCH";
    case EvaluationReason::kVersionMissing:
    case EvaluationReason::kVersionInvalid:
      return "DEFAULT";
  }
  return "DEFAULT";
}

// An OFREP error body: {"key"?, "errorCode", "errorDetails"}.
HttpResponse OfrepError(int status, std::string_view key, bool with_key, std::string_view code,
                        std::string_view details) {
  std::string body = "{";
  if (with_key) {
    body += "\"key\":";
    AppendJsonString(body, key);
    body += ",";
  }
  body += "\"errorCode\":";
  AppendJsonString(body, code);
  body += ",\"errorDetails\":";
  AppendJsonString(body, details);
  body += "}";
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

void AppendOfrepSuccess(std::string& out, const FlagRecord& record, const OfrepContext& context,
                        Timestamp now, std::uint64_t sequence) {
  Evaluation evaluation = Evaluate(record.flag, context.version, now);
  out += "{\"key\":";
  AppendJsonString(out, record.flag.flag_key);
  out += ",\"value\":";
  AppendJsonBool(out, evaluation.value);
  out += ",\"reason\":";
  AppendJsonString(out, OpenFeatureReason(evaluation.reason));
  out += evaluation.value ? ",\"variant\":\"on\"" : ",\"variant\":\"off\"";
  out += ",\"metadata\":{\"flagledger_reason\":";
  AppendJsonString(out, EvaluationReasonName(evaluation.reason));
  out += ",\"flag_version\":";
  AppendJsonUint(out, record.version);
  out += ",\"event_sequence\":";
  AppendJsonUint(out, sequence);
  out += "}}";
}

}  // namespace

void HandleOfrep(FlagStore& store, const RequestContext& context, Route route,
                 std::string_view raw_flag_key, const Responder& respond) {
  bool single = route == Route::kOfrepFlag;
  std::string key;
  if (single) key = PercentDecode(raw_flag_key).value_or(std::string(raw_flag_key));
  // OFREP evaluates now, from the context in the body: a point in time or any other query
  // parameter is refused rather than ignored.
  if (Status names = CheckQueryNames(context.target, {}); !names.ok()) {
    return respond(OfrepError(400, key, single, "GENERAL", names.detail()));
  }
  auto parsed = ParseOfrepBody(context.request.body);
  if (!parsed.ok()) {
    bool parse_error = parsed.status().code() == ErrorCode::kInvalidJson;
    return respond(OfrepError(400, key, single, parse_error ? "PARSE_ERROR" : "INVALID_CONTEXT",
                              parsed.status().detail()));
  }
  // The organization: the token's, or the context's where there is no organization token.
  std::string organization_id;
  const std::string& token_org = context.token_organization;
  if (!token_org.empty() && token_org != kAllOrganizations) {
    if (parsed->organization_id && *parsed->organization_id != token_org) {
      return respond(ProblemResponse(
          Status(ErrorCode::kForbidden, "the API token is for organization '" + token_org +
                                            "', not '" + *parsed->organization_id + "'")));
    }
    organization_id = token_org;
  } else if (parsed->organization_id) {
    organization_id = *parsed->organization_id;
  } else {
    return respond(OfrepError(400, key, single, "INVALID_CONTEXT",
                              "context.organization_id is required without an organization's "
                              "API token"));
  }

  auto snapshot = store.snapshot();
  Timestamp now = store.clock().Now();
  const OrgState* org = snapshot->FindOrganization(organization_id);
  if (single) {
    const FlagRecord* record = org && IsValidIdentifier(key) ? org->Find(key) : nullptr;
    if (!record) {
      return respond(OfrepError(404, key, true, "FLAG_NOT_FOUND",
                                "flag '" + QuoteForMessage(key) +
                                    "' does not exist in organization '" + organization_id + "'"));
    }
    HttpResponse response;
    AppendOfrepSuccess(response.body, *record, *parsed, now, snapshot->sequence);
    return respond(std::move(response));
  }
  HttpResponse response;
  response.body = "{\"flags\":[";
  if (org) {
    bool first = true;
    for (const auto& record : org->flags()) {
      if (!first) response.body.push_back(',');
      first = false;
      AppendOfrepSuccess(response.body, *record, *parsed, now, snapshot->sequence);
    }
  }
  response.body += "]}";
  std::string etag = "\"" + Sha256Hex(response.body).substr(0, 32) + "\"";
  if (IfNoneMatchHits(context.request.if_none_match, std::string_view(etag))) {
    response.status = 304;
    response.body.clear();
  }
  response.etag = std::move(etag);
  respond(std::move(response));
}

void HandleFlagEvaluation(FlagStore& store, const RequestContext& context,
                          const Responder& respond) {
  auto fail = [&](const Status& status) { respond(ProblemResponse(status)); };
  Status names = CheckQueryNames(context.target, {"version", "at"});
  if (!names.ok()) return fail(names);
  auto version = QueryClientVersion(context.target);
  if (!version.ok()) return fail(version.status());
  Timestamp at = store.clock().Now();
  std::shared_ptr<const FlagRecord> record;
  std::uint64_t sequence = 0;
  auto at_time = QueryTime(context.target, "at");
  if (!at_time.ok()) return fail(at_time.status());
  if (*at_time) {
    at = **at_time;
    auto found = store.log().SequenceAt(at);
    if (!found.ok()) return fail(found.status());
    sequence = *found;
    auto past = FlagAt(store.log(), context.organization_id, context.flag_key, sequence);
    if (!past.ok()) return fail(past.status());
    record = std::move(*past);
  } else {
    auto snapshot = store.snapshot();
    sequence = snapshot->sequence;
    if (const OrgState* org = snapshot->FindOrganization(context.organization_id)) {
      record = org->FindShared(context.flag_key);
    }
  }
  if (!record) {
    return fail(Status(ErrorCode::kFlagNotFound, "flag '" + context.flag_key +
                                                     "' did not exist in organization '" +
                                                     context.organization_id + "' at that moment"));
  }
  Evaluation evaluation = Evaluate(record->flag, *version, at);
  HttpResponse response;
  std::string& body = response.body;
  body = "{\"flag_key\":";
  AppendJsonString(body, context.flag_key);
  body += ",\"organization_id\":";
  AppendJsonString(body, context.organization_id);
  body += ",\"value\":";
  AppendJsonBool(body, evaluation.value);
  body += ",\"reason\":";
  AppendJsonString(body, EvaluationReasonName(evaluation.reason));
  body += ",\"version\":";
  AppendJsonString(body, *version);
  body += ",\"evaluated_at\":\"";
  at.AppendMicros(body);
  body += "\",\"event_sequence\":";
  AppendJsonUint(body, sequence);
  body += "}";
  response.event_sequence = sequence;
  respond(std::move(response));
}

}  // namespace flagledger

#include "http/flag_handlers.h"

#include <limits>

#include "core/flag_json.h"
#include "core/json_writer.h"
#include "http/entity_tags.h"
#include "http/problem.h"
#include "http/query_params.h"
#include "http/request_body.h"
#include "http/write_request.h"
#include "projections/point_in_time.h"

namespace flagledger {
namespace {

constexpr std::uint64_t kDefaultPageLimit = 20;
constexpr std::uint64_t kMaxPageLimit = 100;
// The largest integer a JSON number holds exactly (2^53 - 1): a page past the last is empty.
constexpr std::uint64_t kMaxPageNumber = (std::uint64_t{1} << 53) - 1;

// The log position a read asks for: nullopt for "now".
Result<std::optional<std::uint64_t>> ResolvePointInTime(const EventLog& log,
                                                        const RequestTarget& target) {
  auto as_of = QueryValue(target, "as_of");
  auto as_of_event = QueryValue(target, "as_of_event");
  if (as_of && as_of_event) {
    return Status(ErrorCode::kInvalidQuery, "give as_of or as_of_event, not both");
  }
  if (as_of_event) {
    std::uint64_t newest = log.last_sequence();
    auto sequence =
        QueryInteger(target, "as_of_event", 0, 0, std::numeric_limits<std::uint64_t>::max());
    if (!sequence.ok()) return sequence.status();
    if (*sequence > newest) {
      return Status(ErrorCode::kInvalidQuery, "as_of_event " + std::to_string(*sequence) +
                                                  " is after the newest event, " +
                                                  std::to_string(newest));
    }
    return std::optional<std::uint64_t>(*sequence);
  }
  if (as_of) {
    auto time = QueryTime(target, "as_of");
    if (!time.ok()) return time.status();
    auto sequence = log.SequenceAt(**time);
    if (!sequence.ok()) return sequence.status();
    return std::optional<std::uint64_t>(*sequence);
  }
  return std::optional<std::uint64_t>();
}

HttpResponse WithSequence(HttpResponse response, std::uint64_t sequence) {
  response.event_sequence = sequence;
  return response;
}

// A single flag's answer to GET: 200 with its ETag, or 304 when If-None-Match names it. The
// body shares the record's rendering.
HttpResponse FlagReadResponse(std::shared_ptr<const FlagRecord> record,
                              std::string_view if_none_match) {
  HttpResponse response;
  response.etag = FlagEtag(record->version);
  if (!if_none_match.empty() && IfNoneMatchHits(if_none_match, record->version)) {
    response.status = 304;
  } else {
    response.shared_body = ShareBytes(std::move(record), &FlagRecord::json);
  }
  return response;
}

template <typename Flags>
std::string ListPageBody(const Flags& page, std::uint64_t number, std::uint64_t limit,
                         std::size_t total) {
  std::size_t bytes = 96;
  for (const auto& record : page) bytes += record->json.size() + 1;
  std::string body;
  body.reserve(bytes);
  body += "{\"data\":[";
  bool first = true;
  for (const auto& record : page) {
    if (!first) body.push_back(',');
    first = false;
    body += record->json;
  }
  body += "],\"pagination\":{\"page\":";
  AppendJsonUint(body, number);
  body += ",\"limit\":";
  AppendJsonUint(body, limit);
  body += ",\"total\":";
  AppendJsonUint(body, total);
  body += "}}";
  return body;
}

// A current list page: the one the organization's state keeps when it is the page asked for,
// else rendered now (and kept in its place, if the cache's budget allows).
HttpResponse CurrentListPage(ListPageCache& pages, const OrgState& org, std::uint64_t number,
                             std::uint64_t limit) {
  std::size_t offset = (number - 1) * limit;
  HttpResponse response;
  response.shared_body = pages.Find(org, offset, limit);
  if (!response.shared_body) {
    response.shared_body = pages.Keep(
        org, offset, limit, ListPageBody(org.Page(offset, limit), number, limit, org.size()));
  }
  return response;
}

std::string RolloutResponseBody(const Flag& flag) {
  std::string body = "{\"flag_key\":";
  AppendJsonString(body, flag.flag_key);
  body += ",\"organization_id\":";
  AppendJsonString(body, flag.organization_id);
  body += ",\"rollout_condition\":";
  AppendRolloutJson(body, flag.rollout_condition);
  body += ",\"updated_at\":\"";
  flag.updated_at.AppendSeconds(body);
  body += "\"}";
  return body;
}

std::string DeletedResponseBody(std::string_view flag_key) {
  std::string body = "{\"deleted\":true,\"flag_key\":";
  AppendJsonString(body, flag_key);
  body.push_back('}');
  return body;
}

HttpResponse WithFlagEtag(HttpResponse response, const WriteOutcome& outcome) {
  response.etag = FlagEtag(outcome.record->version);
  return response;
}

HttpResponse RenderCreated(const std::string& organization_id, const std::string& flag_key,
                           const WriteOutcome& outcome) {
  HttpResponse response;
  response.status = 201;
  response.shared_body = ShareBytes(outcome.record, &FlagRecord::json);
  response.headers.emplace_back("Location", "/api/v1/organizations/" +
                                                std::string(organization_id) + "/feature-flags/" +
                                                std::string(flag_key));
  return WithFlagEtag(std::move(response), outcome);
}

HttpResponse RenderUpdated(const WriteOutcome& outcome) {
  HttpResponse response;
  response.shared_body = ShareBytes(outcome.record, &FlagRecord::json);
  return WithFlagEtag(std::move(response), outcome);
}

HttpResponse RenderRolloutPatched(const WriteOutcome& outcome) {
  return WithFlagEtag(JsonResponse(200, RolloutResponseBody(outcome.record->flag)), outcome);
}

HttpResponse RenderDeleted(std::string_view flag_key) {
  return JsonResponse(200, DeletedResponseBody(flag_key));
}

}  // namespace

void HandleFlagRead(FlagStore& store, ListPageCache& pages, const RequestContext& context,
                    Route route, const Responder& respond) {
  auto fail = [&](const Status& status) { respond(ProblemResponse(status)); };
  bool is_list = route == Route::kFlags;
  Status names = is_list
                     ? CheckQueryNames(context.target, {"page", "limit", "as_of", "as_of_event"})
                     : CheckQueryNames(context.target, {"as_of", "as_of_event"});
  if (!names.ok()) return fail(names);
  std::uint64_t page = 1, limit = kDefaultPageLimit;
  if (is_list) {
    auto page_number = QueryInteger(context.target, "page", 1, 1, kMaxPageNumber);
    if (!page_number.ok()) return fail(page_number.status());
    auto page_limit = QueryInteger(context.target, "limit", kDefaultPageLimit, 1, kMaxPageLimit);
    if (!page_limit.ok()) return fail(page_limit.status());
    page = *page_number;
    limit = *page_limit;
  }
  auto point = ResolvePointInTime(store.log(), context.target);
  if (!point.ok()) return fail(point.status());

  if (!point->has_value()) {  // now: from the published snapshot, without touching storage
    auto snapshot = store.snapshot();
    const OrgState* org = snapshot->FindOrganization(context.organization_id);
    if (is_list) {
      static const OrgState kEmpty("", {});
      const OrgState& flags = org ? *org : kEmpty;
      return respond(WithSequence(CurrentListPage(pages, flags, page, limit), snapshot->sequence));
    }
    auto record = org ? org->FindShared(context.flag_key) : nullptr;
    HttpResponse response =
        record ? FlagReadResponse(std::move(record), context.request.if_none_match)
               : ProblemResponse(FlagNotFound(context.organization_id, context.flag_key));
    return respond(WithSequence(std::move(response), snapshot->sequence));
  }

  std::uint64_t sequence = **point;  // a past point: from the log's indexes
  if (is_list) {
    auto flags = OrganizationAt(store.log(), context.organization_id, sequence);
    if (!flags.ok()) return fail(flags.status());
    std::size_t offset = std::min<std::uint64_t>((page - 1) * limit, flags->size());
    std::span page_flags(flags->data() + offset,
                         std::min<std::size_t>(limit, flags->size() - offset));
    return respond(WithSequence(
        JsonResponse(200, ListPageBody(page_flags, page, limit, flags->size())), sequence));
  }
  auto record = FlagAt(store.log(), context.organization_id, context.flag_key, sequence);
  if (!record.ok()) return fail(record.status());
  if (!*record) {
    HttpResponse missing = ProblemResponse(
        Status(ErrorCode::kFlagNotFound,
               "flag '" + context.flag_key + "' did not exist in organization '" +
                   context.organization_id + "' at event " + std::to_string(sequence)));
    return respond(WithSequence(std::move(missing), sequence));
  }
  return respond(
      WithSequence(FlagReadResponse(std::move(*record), context.request.if_none_match), sequence));
}

void HandleCreateFlag(FlagStore& store, const RequestContext& context, Responder respond) {
  if (Status checked = CheckWriteRequest(context, {"application/json"}); !checked.ok()) {
    return respond(ProblemResponse(checked));
  }
  auto body = ParseCreateFlagBody(context.request.body, context.organization_id);
  if (!body.ok()) return respond(ProblemResponse(body.status()));
  auto render = [organization_id = context.organization_id,
                 flag_key = body->flag_key](const WriteOutcome& outcome) {
    return RenderCreated(organization_id, flag_key, outcome);
  };
  SubmitWrite(store, context,
              Command{context.organization_id, std::move(body->flag_key), std::move(body->action)},
              std::move(render), std::move(respond));
}

void HandleUpdateFlag(FlagStore& store, const RequestContext& context, Responder respond) {
  if (Status checked = CheckWriteRequest(context, {"application/json"}); !checked.ok()) {
    return respond(ProblemResponse(checked));
  }
  auto body = ParseUpdateFlagBody(context.request.body, context.organization_id, context.flag_key);
  if (!body.ok()) return respond(ProblemResponse(body.status()));
  SubmitWrite(store, context,
              Command{context.organization_id, context.flag_key, std::move(body).value()},
              &RenderUpdated, std::move(respond));
}

void HandlePatchRollout(FlagStore& store, const RequestContext& context, Responder respond) {
  Status checked = CheckWriteRequest(context, {"application/json", "application/merge-patch+json"});
  if (!checked.ok()) return respond(ProblemResponse(checked));
  auto body = ParsePatchRolloutBody(context.request.body);
  if (!body.ok()) return respond(ProblemResponse(body.status()));
  SubmitWrite(store, context,
              Command{context.organization_id, context.flag_key, std::move(body).value()},
              &RenderRolloutPatched, std::move(respond));
}

void HandleDeleteFlag(FlagStore& store, const RequestContext& context, Responder respond) {
  if (Status checked = CheckWriteRequest(context, {}); !checked.ok()) {
    return respond(ProblemResponse(checked));
  }
  SubmitWrite(
      store, context, Command{context.organization_id, context.flag_key, DeleteFlag{}},
      [flag_key = context.flag_key](const WriteOutcome&) { return RenderDeleted(flag_key); },
      std::move(respond));
}

}  // namespace flagledger

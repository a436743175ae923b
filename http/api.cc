#include "http/api.h"

#include <charconv>
#include <limits>
#include <string>

#include "core/flag_json.h"
#include "core/identifier.h"
#include "core/json_writer.h"
#include "http/problem.h"
#include "http/request_body.h"
#include "http/request_target.h"
#include "http/router.h"

namespace flagledger {
namespace {

constexpr std::size_t kDefaultPageLimit = 20;
constexpr std::size_t kMaxPageLimit = 100;
constexpr char kSequenceHeader[] = "Flagledger-Event-Sequence";

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

std::string BasePath(std::string_view organization_id) {
  return "/api/v1/organizations/" + std::string(organization_id) + "/feature-flags";
}

// Decodes a path segment and checks it against the identifier rules of §1.
Result<std::string> DecodeIdentifier(std::string_view raw, ErrorCode code, const char* what) {
  auto decoded = PercentDecode(raw);
  if (!decoded || !IsValidIdentifier(*decoded)) {
    return Status(code, std::string(what) + " '" + QuoteForMessage(decoded ? *decoded : raw) +
                            "' must be 1 to 128 characters from A-Z a-z 0-9 . _ - starting with "
                            "a letter or digit");
  }
  return std::move(*decoded);
}

Status InvalidQuery(std::string detail) { return Status(ErrorCode::kInvalidQuery, std::move(detail)); }

// Accepts only the named parameters, each at most once.
Status CheckQueryNames(const RequestTarget& target, std::initializer_list<std::string_view> names) {
  if (!target.query_well_formed) return InvalidQuery("the query string has a malformed % escape");
  for (std::size_t i = 0; i < target.query.size(); ++i) {
    const std::string& name = target.query[i].first;
    bool known = false;
    for (std::string_view allowed : names) known = known || name == allowed;
    if (!known) return InvalidQuery("unknown query parameter '" + QuoteForMessage(name) + "'");
    for (std::size_t j = 0; j < i; ++j) {
      if (target.query[j].first == name) {
        return InvalidQuery("query parameter '" + name + "' appears more than once");
      }
    }
  }
  return Status::Ok();
}

// The integer value of parameter `name` in [min, max], or `fallback` when absent.
Result<std::size_t> QueryInteger(const RequestTarget& target, std::string_view name,
                                 std::size_t fallback, std::size_t min, std::size_t max) {
  for (const auto& [key, value] : target.query) {
    if (key != name) continue;
    std::size_t number = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (value.empty() || error != std::errc() || end != value.data() + value.size() ||
        number < min || number > max) {
      return InvalidQuery("query parameter '" + std::string(name) + "' must be an integer from " +
                          std::to_string(min) + " to " + std::to_string(max));
    }
    return number;
  }
  return fallback;
}

// True when the media type is one of `accepted` (and any charset is UTF-8).
bool IsAcceptedMediaType(std::string_view content_type,
                         std::initializer_list<std::string_view> accepted) {
  auto lower_trim = [](std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    std::string out(text);
    for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return out;
  };
  std::size_t semicolon = content_type.find(';');
  std::string media_type = lower_trim(content_type.substr(0, semicolon));
  bool known = false;
  for (std::string_view type : accepted) known = known || media_type == type;
  if (!known) return false;
  while (semicolon != std::string_view::npos) {
    content_type.remove_prefix(semicolon + 1);
    semicolon = content_type.find(';');
    std::string parameter = lower_trim(content_type.substr(0, semicolon));
    if (parameter.starts_with("charset=") && parameter != "charset=utf-8" &&
        parameter != "charset=\"utf-8\"") {
      return false;
    }
  }
  return true;
}

Status UnsupportedMediaType(std::string_view accepted) {
  return Status(ErrorCode::kUnsupportedMediaType,
                "the request body must be sent as " + std::string(accepted));
}

void AddSequenceHeader(HttpResponse& response, std::uint64_t sequence) {
  response.headers.emplace_back(kSequenceHeader, std::to_string(sequence));
}

HttpResponse ListFlags(const ProjectionSnapshot& snapshot, std::string_view organization_id,
                       std::size_t page, std::size_t limit) {
  const OrgState* org = snapshot.FindOrganization(organization_id);
  std::string body = "{\"data\":[";
  std::size_t total = 0;
  if (org) {
    total = org->size();
    auto flags = org->Page((page - 1) * limit, limit);
    std::size_t bytes = 0;
    for (const auto& record : flags) bytes += record->json.size() + 1;
    body.reserve(bytes + 96);
    bool first = true;
    for (const auto& record : flags) {
      if (!first) body.push_back(',');
      first = false;
      body += record->json;
    }
  }
  body += "],\"pagination\":{\"page\":";
  AppendJsonUint(body, page);
  body += ",\"limit\":";
  AppendJsonUint(body, limit);
  body += ",\"total\":";
  AppendJsonUint(body, total);
  body += "}}";
  HttpResponse response = JsonResponse(200, std::move(body));
  AddSequenceHeader(response, snapshot.sequence);
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

// How a successful write of each route is rendered.
enum class WriteKind { kCreate, kUpdate, kPatchRollout, kDelete };

HttpResponse RenderWrite(WriteKind kind, std::string_view organization_id,
                         std::string_view flag_key, const WriteOutcome& outcome) {
  if (!outcome.status.ok()) return ProblemResponse(outcome.status);
  switch (kind) {
    case WriteKind::kCreate: {
      HttpResponse response = JsonResponse(201, outcome.record->json);
      response.headers.emplace_back(
          "Location", BasePath(organization_id) + "/" + std::string(flag_key));
      return response;
    }
    case WriteKind::kUpdate: return JsonResponse(200, outcome.record->json);
    case WriteKind::kPatchRollout: return JsonResponse(200, RolloutResponseBody(outcome.record->flag));
    case WriteKind::kDelete: return JsonResponse(200, DeletedResponseBody(flag_key));
  }
  return ProblemResponse(Status(ErrorCode::kInternal, "unknown write"));
}

}  // namespace

void Api::Handle(const HttpRequest& request, Responder respond) {
  auto fail = [&](const Status& status) { respond(ProblemResponse(status)); };
  RequestTarget target = ParseRequestTarget(request.target);
  std::optional<RouteMatch> match = MatchRoute(target);
  if (!match) {
    return fail(Status(ErrorCode::kRouteNotFound,
                       "no route matches '" + QuoteForMessage(target.path) + "'"));
  }
  if (!IsMethodAllowed(match->route, request.method)) {
    HttpResponse response = ProblemResponse(Status(
        ErrorCode::kMethodNotAllowed, "method " + QuoteForMessage(request.method) +
                                          " is not allowed here; allowed: " +
                                          std::string(AllowedMethods(match->route))));
    response.headers.emplace_back("Allow", AllowedMethods(match->route));
    return respond(std::move(response));
  }

  bool ready = store_.ready() && !shutting_down_.load(std::memory_order_acquire);
  if (match->route == Route::kHealth) return respond(JsonResponse(200, "{\"status\":\"ok\"}"));
  if (match->route == Route::kReady) {
    if (!ready) {
      return fail(Status(ErrorCode::kUnavailable, store_.ready()
                                                      ? "the server is shutting down"
                                                      : "the projection is being rebuilt"));
    }
    return respond(JsonResponse(200, "{\"status\":\"ready\"}"));
  }

  auto organization_id =
      DecodeIdentifier(match->organization_id, ErrorCode::kInvalidOrganizationId, "organization id");
  if (!organization_id.ok()) return fail(organization_id.status());
  std::string flag_key;
  if (match->route != Route::kFlags) {
    auto key = DecodeIdentifier(match->flag_key, ErrorCode::kInvalidFlagKey, "flag key");
    if (!key.ok()) return fail(key.status());
    flag_key = std::move(key).value();
  }
  bool is_read = request.method == "GET" || request.method == "HEAD";
  bool is_list = match->route == Route::kFlags && is_read;
  Status query = is_list ? CheckQueryNames(target, {"page", "limit"}) : CheckQueryNames(target, {});
  if (!query.ok()) return fail(query);
  if (!store_.ready()) {
    return fail(Status(ErrorCode::kUnavailable, "the projection is being rebuilt; retry shortly"));
  }

  if (is_read) {
    auto snapshot = store_.snapshot();
    if (is_list) {
      auto page = QueryInteger(target, "page", 1, 1, std::numeric_limits<std::uint32_t>::max());
      if (!page.ok()) return fail(page.status());
      auto limit = QueryInteger(target, "limit", kDefaultPageLimit, 1, kMaxPageLimit);
      if (!limit.ok()) return fail(limit.status());
      return respond(ListFlags(*snapshot, *organization_id, *page, *limit));
    }
    const OrgState* org = snapshot->FindOrganization(*organization_id);
    const FlagRecord* record = org ? org->Find(flag_key) : nullptr;
    if (!record) {
      return fail(Status(ErrorCode::kFlagNotFound, "flag '" + flag_key +
                                                       "' does not exist in organization '" +
                                                       *organization_id + "'"));
    }
    HttpResponse response = JsonResponse(200, record->json);
    AddSequenceHeader(response, snapshot->sequence);
    return respond(std::move(response));
  }

  // Writes: check the body, then hand the command to the store's writer.
  Command command;
  command.organization_id = *organization_id;
  WriteKind kind;
  if (request.method == "POST") {
    if (!IsAcceptedMediaType(request.content_type, {"application/json"})) {
      return fail(UnsupportedMediaType("application/json"));
    }
    auto body = ParseCreateFlagBody(request.body, *organization_id);
    if (!body.ok()) return fail(body.status());
    command.flag_key = std::move(body->flag_key);
    command.action = std::move(body->action);
    kind = WriteKind::kCreate;
  } else if (request.method == "PUT") {
    if (!IsAcceptedMediaType(request.content_type, {"application/json"})) {
      return fail(UnsupportedMediaType("application/json"));
    }
    auto body = ParseUpdateFlagBody(request.body, *organization_id, flag_key);
    if (!body.ok()) return fail(body.status());
    command.action = std::move(body).value();
    kind = WriteKind::kUpdate;
  } else if (request.method == "PATCH") {
    if (!IsAcceptedMediaType(request.content_type,
                             {"application/json", "application/merge-patch+json"})) {
      return fail(UnsupportedMediaType("application/json or application/merge-patch+json"));
    }
    auto body = ParsePatchRolloutBody(request.body);
    if (!body.ok()) return fail(body.status());
    command.action = std::move(body).value();
    kind = WriteKind::kPatchRollout;
  } else {  // DELETE
    command.action = DeleteFlag{};
    kind = WriteKind::kDelete;
  }
  if (command.flag_key.empty()) command.flag_key = std::move(flag_key);
  CommandContext context{"anonymous", request.request_id};
  std::string key = command.flag_key;
  store_.Submit(std::move(command), std::move(context),
                [kind, organization = std::move(organization_id).value(), key = std::move(key),
                 respond = std::move(respond)](WriteOutcome outcome) {
                  respond(RenderWrite(kind, organization, key, outcome));
                });
}

}  // namespace flagledger

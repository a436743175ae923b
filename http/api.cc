#include "http/api.h"

#include "core/identifier.h"
#include "core/json_writer.h"
#include "http/audit_handlers.h"
#include "http/evaluation_handlers.h"
#include "http/flag_handlers.h"
#include "http/handler_context.h"
#include "http/history_handlers.h"
#include "http/openapi_document.h"
#include "http/problem.h"
#include "http/prometheus_text.h"
#include "http/query_params.h"
#include "http/replication_handlers.h"
#include "http/request_target.h"
#include "http/revert_handlers.h"
#include "http/router.h"

namespace flagledger {
namespace {

// How long a read with Flagledger-Min-Sequence waits on a replica that is behind it.
constexpr std::chrono::milliseconds kReadYourWritesWait{900};

// Decodes a path segment and checks it against the identifier rules of docs/api.md,
// "Identifiers".
Result<std::string> DecodeIdentifier(std::string_view raw, ErrorCode code, const char* what) {
  auto decoded = PercentDecode(raw);
  if (!decoded || !IsValidIdentifier(*decoded)) {
    return Status(code, std::string(what) + " '" + QuoteForMessage(decoded ? *decoded : raw) +
                            "' must be 1 to 128 characters from A-Z a-z 0-9 . _ - starting with "
                            "a letter or digit");
  }
  return std::move(*decoded);
}

// The path's organization id and flag key, decoded and checked, into `context`.
Status DecodePathIdentifiers(const RouteMatch& match, RequestContext& context) {
  if (!match.organization_id.empty()) {
    auto organization_id = DecodeIdentifier(match.organization_id,
                                            ErrorCode::kInvalidOrganizationId, "organization id");
    if (!organization_id.ok()) return organization_id.status();
    context.organization_id = std::move(organization_id).value();
  }
  if (!match.flag_key.empty()) {
    auto flag_key = DecodeIdentifier(match.flag_key, ErrorCode::kInvalidFlagKey, "flag key");
    if (!flag_key.ok()) return flag_key.status();
    context.flag_key = std::move(flag_key).value();
  }
  return Status::Ok();
}

// 401, with the challenge of RFC 6750.
HttpResponse Unauthenticated(const Status& status, const HttpRequest& request) {
  HttpResponse response = ProblemResponse(status);
  response.headers.emplace_back("WWW-Authenticate",
                                request.authorization.empty()
                                    ? "Bearer realm=\"flagledger\""
                                    : "Bearer realm=\"flagledger\", error=\"invalid_token\"");
  return response;
}

}  // namespace

HandledRequest Api::Handle(const HttpRequest& request, Responder respond) {
  RequestTarget target = ParseRequestTarget(request.target);
  std::optional<RouteMatch> match = MatchRoute(target);
  if (!match) {
    respond(ProblemResponse(Status(ErrorCode::kRouteNotFound,
                                   "no route matches '" + QuoteForMessage(target.path) + "'")));
    return {};
  }
  HandledRequest handled{match->route, -1};
  Dispatch(request, target, *match, std::move(respond), handled.token_index);
  return handled;
}

void Api::Dispatch(const HttpRequest& request, const RequestTarget& target, const RouteMatch& match,
                   Responder respond, std::int64_t& token_index) {
  auto fail = [&](const Status& status) { respond(ProblemResponse(status)); };
  const Route route = match.route;
  if (!IsMethodAllowed(route, request.method)) {
    HttpResponse response = ProblemResponse(
        Status(ErrorCode::kMethodNotAllowed,
               "method " + QuoteForMessage(request.method) +
                   " is not allowed here; allowed: " + std::string(AllowedMethods(route))));
    response.headers.emplace_back("Allow", AllowedMethods(route));
    return respond(std::move(response));
  }

  RequestContext context{request, target, {}, {}, "anonymous", {}, {}};
  // With authentication off the tokens are not even loaded (an atomic load saved per request).
  std::shared_ptr<const TokenTable> tokens;  // outlives `principal`
  const RouteAccess access = InfoOf(route).access;
  if (access != RouteAccess::kPublic) {
    if (!store_.ready()) {
      return fail(
          Status(ErrorCode::kUnavailable, "the projection is being rebuilt; retry shortly"));
    }
    if (auth_ != AuthMode::kOff) tokens = store_.tokens();
    Principal principal{"anonymous", nullptr};
    if (tokens && AuthenticationRequired(auth_, *tokens)) {
      auto authenticated = Authenticate(*tokens, request.authorization);
      if (!authenticated.ok()) return respond(Unauthenticated(authenticated.status(), request));
      principal = std::move(authenticated).value();
    }
    context.actor = principal.actor;
    if (principal.token) {
      context.actor_token_id = principal.token->id;
      token_index = tokens->IndexOf(*principal.token);
      context.token_organization = principal.token->organization_id;
    }
    // OFREP's organization comes from the token or the body, and a key that cannot exist is
    // OFREP's FLAG_NOT_FOUND: its handler checks both.
    if (access != RouteAccess::kTokenOrBody) {
      Status checked = DecodePathIdentifiers(match, context);
      if (checked.ok()) {
        checked =
            Authorize(principal, RequiredAccess(route, request.method, context.organization_id));
      }
      if (!checked.ok()) return fail(checked);
    } else if (principal.token && principal.token->role == Role::kReplica) {
      return fail(Status(ErrorCode::kForbidden, "token '" + principal.token->name +
                                                    "' has the role 'replica', which reads the "
                                                    "replication feed only"));
    }
  }

  const std::string_view method = request.method;
  const bool read = method == "GET" || method == "HEAD";
  // OFREP evaluates with POST: the one POST that reads.
  if (replica_ && !read && route != Route::kOfrepFlag && route != Route::kOfrepFlags) {
    HttpResponse response =
        ProblemResponse(Status(ErrorCode::kReadOnlyReplica, "this server is a read replica of " +
                                                                replica_->options().leader_url +
                                                                "; send writes to the leader"));
    response.headers.emplace_back("Flagledger-Leader", replica_->options().leader_url);
    return respond(std::move(response));
  }
  if (cluster_ && !read && route != Route::kOfrepFlag && route != Route::kOfrepFlags &&
      !cluster_->writer()) {
    ClusterState state = cluster_->state();
    std::string detail = state.writer_url.empty()
                             ? "this node follows its cluster's writer, and no writer is "
                               "elected right now; retry shortly"
                             : "this node follows its cluster's writer " + state.writer_id +
                                   " at " + state.writer_url + "; send writes there";
    HttpResponse response = ProblemResponse(Status(ErrorCode::kReadOnlyReplica, detail));
    if (!state.writer_url.empty()) {
      response.headers.emplace_back("Flagledger-Leader", state.writer_url);
    }
    return respond(std::move(response));
  }
  if (!request.min_sequence.empty()) {
    auto parsed = ParseDecimal(request.min_sequence);
    if (!parsed) {
      return fail(Status(ErrorCode::kInvalidQuery,
                         "Flagledger-Min-Sequence must be the sequence a write answered, e.g. 42"));
    }
    const std::uint64_t wanted = *parsed;
    // A replica behind it answers once it has applied it; a leader has applied every
    // sequence it answered.
    if ((replica_ || cluster_) && store_.snapshot()->sequence < wanted) {
      auto answer = [this, &request, target, match, respond, wanted](bool applied) mutable {
        if (!applied) {
          return respond(ProblemResponse(
              Status(ErrorCode::kReplicaBehind, "this replica had not applied event " +
                                                    std::to_string(wanted) + " within " +
                                                    std::to_string(kReadYourWritesWait.count()) +
                                                    " ms; retry, or read from the leader")));
        }
        std::int64_t token_index = -1;
        Dispatch(request, target, match, std::move(respond), token_index);
      };
      if (replica_) {
        replica_->WhenApplied(wanted, kReadYourWritesWait, std::move(answer));
      } else {
        cluster_->WhenApplied(wanted, kReadYourWritesWait, std::move(answer));
      }
      return;
    }
  }
  switch (route) {
    case Route::kHealth:
      return respond(JsonResponse(200, "{\"status\":\"ok\"}"));
    case Route::kReady:
      return HandleReady(respond);
    case Route::kOpenApi:
      return respond(JsonResponse(200, std::string(OpenApiDocument())));
    case Route::kMetrics: {
      HttpResponse response =
          JsonResponse(200, metrics_ ? metrics_->Render(store_, list_pages_.kept_bytes()) : "");
      if (metrics_ && replica_) AppendReplicaMetrics(response.body, replica_->state());
      if (metrics_ && cluster_) {
        AppendClusterMetrics(response.body, cluster_->state(), cluster_->log());
      }
      response.content_type = MediaType::kPrometheusText;
      return respond(std::move(response));
    }
    case Route::kFlags:
      if (read) return HandleFlagRead(store_, list_pages_, context, route, respond);
      if (method == "POST") return HandleCreateFlag(store_, context, std::move(respond));
      break;
    case Route::kFlag:
      if (read) return HandleFlagRead(store_, list_pages_, context, route, respond);
      if (method == "PUT") return HandleUpdateFlag(store_, context, std::move(respond));
      if (method == "DELETE") return HandleDeleteFlag(store_, context, std::move(respond));
      break;
    case Route::kFlagRollout:
      if (method == "PATCH") return HandlePatchRollout(store_, context, std::move(respond));
      break;
    case Route::kFlagHistory:
    case Route::kOrgEvents:
    case Route::kOrgTokenEvents:
    case Route::kAllEvents:
      return HandleHistory(store_, context, route, respond);
    case Route::kLogHead:
      return HandleLogHead(store_, context, respond);
    case Route::kOrgEventStream:
    case Route::kLogEventStream:
      return HandleEventStream(store_, context, respond);
    case Route::kFlagEvaluation:
      return HandleFlagEvaluation(store_, context, respond);
    case Route::kOrgDiff:
      return HandleOrganizationDiff(store_, context, respond);
    case Route::kOrgEvaluation:
      return HandleOrganizationEvaluation(store_, context, respond);
    case Route::kFlagTimeline:
      return HandleFlagTimeline(store_, context, respond);
    case Route::kFlagRevert:
      return HandleRevertFlag(store_, context, std::move(respond));
    case Route::kOrgRestore:
      return HandleRestoreOrganization(store_, context, std::move(respond));
    case Route::kOfrepFlag:
    case Route::kOfrepFlags:
      return HandleOfrep(store_, context, route, match.flag_key, respond);
    case Route::kReplicationCheckpoint:
      return HandleReplicationCheckpoint(store_, context, std::move(respond), background_);
  }
  // A method the route table allows but no case above serves: a server defect, which
  // ApiTest.EveryRouteAndMethodHasAHandler catches.
  fail(Status(ErrorCode::kInternal, "no handler serves " + std::string(method) + " " +
                                        std::string(RouteTemplate(route))));
}

void Api::HandleReady(const Responder& respond) const {
  bool ready = store_.ready();
  if (!ready || shutting_down_.load(std::memory_order_acquire)) {
    return respond(ProblemResponse(
        Status(ErrorCode::kUnavailable,
               ready ? "the server is shutting down" : "the projection is being rebuilt")));
  }
  if (replica_) {
    FollowerState state = replica_->state();
    std::string lag = "\"applied\":" + std::to_string(state.applied) +
                      ",\"leader_head\":" + std::to_string(state.leader_head) +
                      ",\"lag_events\":" + std::to_string(state.lag_events()) + ",\"lag_seconds\":";
    AppendNumber(lag, state.lag_seconds);
    if (!replica_->ready()) {
      std::string why = state.stopped || !state.problem.empty()
                            ? state.problem
                            : "more than the allowed lag behind the leader, or not heard from it";
      std::string seconds;
      AppendNumber(seconds, std::max(state.lag_seconds, state.silent_seconds));
      return respond(ProblemResponse(Status(
          ErrorCode::kUnavailable, "this replica is not ready: " + why + "; it has applied " +
                                       std::to_string(state.applied) + " of the leader's " +
                                       std::to_string(state.leader_head) + " events known, " +
                                       seconds + " s behind or unheard")));
    }
    return respond(JsonResponse(200, "{\"status\":\"ready\",\"role\":\"replica\"," + lag + "}"));
  }
  if (cluster_) {
    ClusterState state = cluster_->state();
    std::string body = "{\"status\":\"ready\",\"role\":\"";
    body += state.role == ClusterRole::kWriter ? "writer" : "follower";
    body += "\",\"node_id\":";
    AppendJsonString(body, state.node_id);
    body += ",\"writer\":";
    AppendJsonString(body, state.writer_id);
    body += ",\"applied\":" + std::to_string(state.applied) +
            ",\"cluster_head\":" + std::to_string(state.cluster_head) + "}";
    if (!cluster_->ready()) {
      return respond(ProblemResponse(Status(
          ErrorCode::kUnavailable,
          "this node is not ready: " +
              (state.problem.empty() ? std::string("it has not caught up with its cluster lately")
                                     : state.problem) +
              "; it has applied " + std::to_string(state.applied) + " of the " +
              std::to_string(state.cluster_head) + " events it knows the cluster has")));
    }
    return respond(JsonResponse(200, std::move(body)));
  }
  StorageHealth health = store_.log().health();
  if (health.writable) return respond(JsonResponse(200, "{\"status\":\"ready\"}"));
  // Reads go on while storage refuses writes, so the server stays ready for them.
  std::string body = R"({"status":"ready","writes":"unavailable","storage":")";
  body += health.read_only ? "read_only" : "failing";
  body += R"(","problem":)";
  AppendJsonString(body, health.problem);
  body += '}';
  respond(JsonResponse(200, std::move(body)));
}

}  // namespace flagledger

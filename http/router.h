// The routes of api-contract.md §2, §4 and §7, and of issue 7 (evaluation, OFREP, the change
// stream, OpenAPI, metrics): which resource a path names, and its methods.
#pragma once

#include <optional>
#include <string_view>

#include "http/request_target.h"

namespace flagledger {

enum class Route {
  kHealth,          // /healthz
  kReady,           // /readyz
  kFlags,           // /api/v1/organizations/{org}/feature-flags
  kFlag,            // .../feature-flags/{flag_key}
  kFlagRollout,     // .../feature-flags/{flag_key}/rollout
  kFlagHistory,     // .../feature-flags/{flag_key}/history
  kOrgEvents,       // /api/v1/organizations/{org}/events
  kAllEvents,       // /api/v1/events
  kFlagEvaluation,  // .../feature-flags/{flag_key}/evaluation (time-travel evaluation)
  kOrgEventStream,  // /api/v1/organizations/{org}/events/stream (Server-Sent Events)
  kOfrepFlag,       // /ofrep/v1/evaluate/flags/{flag_key}
  kOfrepFlags,      // /ofrep/v1/evaluate/flags
  kOpenApi,         // /api/v1/openapi.json
  kMetrics,         // /metrics (Prometheus)
};

struct RouteMatch {
  Route route;
  std::string_view organization_id;  // raw (percent-encoded) path segments; empty if none
  std::string_view flag_key;
};

// nullopt when no route has this shape (404 route_not_found). Empty segments never match.
std::optional<RouteMatch> MatchRoute(const RequestTarget& target);

inline constexpr int kRouteCount = static_cast<int>(Route::kMetrics) + 1;

// The route's path template, e.g. "/api/v1/organizations/{org}/feature-flags/{flag_key}".
std::string_view RouteTemplate(Route route);

// The methods a route answers, for the Allow header: e.g. "GET, HEAD, POST".
std::string_view AllowedMethods(Route route);
// HEAD is allowed wherever GET is.
bool IsMethodAllowed(Route route, std::string_view method);

}  // namespace flagledger

// The routes of the API (docs/api.md): which resource a path names, its methods, and how it is
// authorized. Every route comes from one list, FLAGLEDGER_ROUTES: the enum, the table that the
// dispatcher, the metrics labels, the Allow header and the OpenAPI check read, and kRouteCount
// are all generated from it. Api::Dispatch switches over Route without a default (built with
// -Werror=switch), so a new route that no handler serves does not compile.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "http/request_target.h"

namespace flagledger {

// Who may call a route.
enum class RouteAccess : std::uint8_t {
  kPublic,        // everyone, also before the projection is ready: probes, scrapers, tooling
  kOrganization,  // a token for the organization in the path (or any, for reads where open)
  kOperator,      // a token for every organization
  kTokenOrBody,   // any token but a replica's; the handler finds the organization (OFREP)
  kReplication,   // a token for every organization with the role admin, auditor or replica
};

// X(enumerator, path template, allowed methods, access), in enum order.
#define FLAGLEDGER_ROUTES(X)                                                                   \
  X(kHealth, "/healthz", "GET, HEAD", kPublic)                                                 \
  X(kReady, "/readyz", "GET, HEAD", kPublic)                                                   \
  X(kFlags, "/api/v1/organizations/{org}/feature-flags", "GET, HEAD, POST", kOrganization)     \
  X(kFlag, "/api/v1/organizations/{org}/feature-flags/{flag_key}", "GET, HEAD, PUT, DELETE",   \
    kOrganization)                                                                             \
  X(kFlagRollout, "/api/v1/organizations/{org}/feature-flags/{flag_key}/rollout", "PATCH",     \
    kOrganization)                                                                             \
  X(kFlagHistory, "/api/v1/organizations/{org}/feature-flags/{flag_key}/history", "GET, HEAD", \
    kOrganization)                                                                             \
  X(kOrgEvents, "/api/v1/organizations/{org}/events", "GET, HEAD", kOrganization)              \
  X(kAllEvents, "/api/v1/events", "GET, HEAD", kOperator)                                      \
  X(kLogHead, "/api/v1/events/head", "GET, HEAD", kOperator)                                   \
  X(kLogEventStream, "/api/v1/events/stream", "GET", kReplication)                             \
  X(kFlagEvaluation, "/api/v1/organizations/{org}/feature-flags/{flag_key}/evaluation",        \
    "GET, HEAD", kOrganization)                                                                \
  X(kOrgEventStream, "/api/v1/organizations/{org}/events/stream", "GET", kOrganization)        \
  X(kOrgDiff, "/api/v1/organizations/{org}/diff", "GET, HEAD", kOrganization)                  \
  X(kOrgEvaluation, "/api/v1/organizations/{org}/evaluation", "GET, HEAD", kOrganization)      \
  X(kFlagTimeline, "/api/v1/organizations/{org}/feature-flags/{flag_key}/evaluation/timeline", \
    "GET, HEAD", kOrganization)                                                                \
  X(kFlagRevert, "/api/v1/organizations/{org}/feature-flags/{flag_key}/revert", "POST",        \
    kOrganization)                                                                             \
  X(kOrgRestore, "/api/v1/organizations/{org}/restore", "POST", kOrganization)                 \
  X(kOrgTokenEvents, "/api/v1/organizations/{org}/token-events", "GET, HEAD", kOrganization)   \
  X(kOfrepFlag, "/ofrep/v1/evaluate/flags/{key}", "POST", kTokenOrBody)                        \
  X(kOfrepFlags, "/ofrep/v1/evaluate/flags", "POST", kTokenOrBody)                             \
  X(kOpenApi, "/api/v1/openapi.json", "GET, HEAD", kPublic)                                    \
  X(kMetrics, "/metrics", "GET, HEAD", kPublic)                                                \
  X(kReplicationCheckpoint, "/api/v1/replication/checkpoint", "GET", kReplication)

enum class Route : std::uint8_t {
#define FLAGLEDGER_ROUTE_ENUMERATOR(enumerator, path, methods, access) enumerator,
  FLAGLEDGER_ROUTES(FLAGLEDGER_ROUTE_ENUMERATOR)
#undef FLAGLEDGER_ROUTE_ENUMERATOR
};

struct RouteInfo {
  Route route;
  std::string_view path_template;  // e.g. "/api/v1/organizations/{org}/feature-flags"
  std::string_view methods;        // for the Allow header: "GET, HEAD, POST"
  RouteAccess access;
};

// Every route, in enum order: kRoutes[i].route == Route(i).
inline constexpr std::array kRoutes = {
#define FLAGLEDGER_ROUTE_INFO(enumerator, path, methods, access) \
  RouteInfo{Route::enumerator, path, methods, RouteAccess::access},
    FLAGLEDGER_ROUTES(FLAGLEDGER_ROUTE_INFO)
#undef FLAGLEDGER_ROUTE_INFO
};
inline constexpr std::size_t kRouteCount = kRoutes.size();

constexpr bool RoutesInEnumOrder() {
  for (std::size_t i = 0; i < kRouteCount; ++i) {
    if (static_cast<std::size_t>(kRoutes[i].route) != i) return false;
  }
  return true;
}
static_assert(RoutesInEnumOrder());

constexpr const RouteInfo& InfoOf(Route route) { return kRoutes[static_cast<std::size_t>(route)]; }

struct RouteMatch {
  Route route;
  std::string_view organization_id;  // raw (percent-encoded) path segments; empty if none
  std::string_view flag_key;
};

// nullopt when no route has this shape (404 route_not_found). Empty segments never match.
std::optional<RouteMatch> MatchRoute(const RequestTarget& target);

// The route's path template, e.g. "/api/v1/organizations/{org}/feature-flags/{flag_key}".
constexpr std::string_view RouteTemplate(Route route) { return InfoOf(route).path_template; }

// The methods a route answers, for the Allow header: e.g. "GET, HEAD, POST".
constexpr std::string_view AllowedMethods(Route route) { return InfoOf(route).methods; }

// True when `method` is one of the route's methods; HEAD is allowed wherever GET is.
bool IsMethodAllowed(Route route, std::string_view method);

}  // namespace flagledger

#include "http/router.h"

namespace flagledger {

std::optional<RouteMatch> MatchRoute(const RequestTarget& target) {
  const auto& s = target.segments;
  for (std::string_view segment : s) {
    if (segment.empty()) return std::nullopt;
  }
  if (s.size() == 1 && s[0] == "healthz") return RouteMatch{Route::kHealth, {}, {}};
  if (s.size() == 1 && s[0] == "readyz") return RouteMatch{Route::kReady, {}, {}};
  if (s.size() == 1 && s[0] == "metrics") return RouteMatch{Route::kMetrics, {}, {}};
  if (s.size() >= 4 && s[0] == "ofrep" && s[1] == "v1" && s[2] == "evaluate" && s[3] == "flags") {
    if (s.size() == 4) return RouteMatch{Route::kOfrepFlags, {}, {}};
    if (s.size() == 5) return RouteMatch{Route::kOfrepFlag, {}, s[4]};
    return std::nullopt;
  }
  if (s.size() < 3 || s[0] != "api" || s[1] != "v1") return std::nullopt;
  if (s.size() == 3 && s[2] == "events") return RouteMatch{Route::kAllEvents, {}, {}};
  if (s.size() == 3 && s[2] == "openapi.json") return RouteMatch{Route::kOpenApi, {}, {}};
  if (s.size() < 5 || s.size() > 7 || s[2] != "organizations") return std::nullopt;
  if (s.size() == 5 && s[4] == "events") return RouteMatch{Route::kOrgEvents, s[3], {}};
  if (s.size() == 6 && s[4] == "events" && s[5] == "stream") {
    return RouteMatch{Route::kOrgEventStream, s[3], {}};
  }
  if (s[4] != "feature-flags") return std::nullopt;
  if (s.size() == 5) return RouteMatch{Route::kFlags, s[3], {}};
  if (s.size() == 6) return RouteMatch{Route::kFlag, s[3], s[5]};
  if (s[6] == "rollout") return RouteMatch{Route::kFlagRollout, s[3], s[5]};
  if (s[6] == "history") return RouteMatch{Route::kFlagHistory, s[3], s[5]};
  if (s[6] == "evaluation") return RouteMatch{Route::kFlagEvaluation, s[3], s[5]};
  return std::nullopt;
}

std::string_view RouteTemplate(Route route) {
  switch (route) {
    case Route::kHealth:
      return "/healthz";
    case Route::kReady:
      return "/readyz";
    case Route::kFlags:
      return "/api/v1/organizations/{org}/feature-flags";
    case Route::kFlag:
      return "/api/v1/organizations/{org}/feature-flags/{flag_key}";
    case Route::kFlagRollout:
      return "/api/v1/organizations/{org}/feature-flags/{flag_key}/rollout";
    case Route::kFlagHistory:
      return "/api/v1/organizations/{org}/feature-flags/{flag_key}/history";
    case Route::kOrgEvents:
      return "/api/v1/organizations/{org}/events";
    case Route::kAllEvents:
      return "/api/v1/events";
    case Route::kFlagEvaluation:
      return "/api/v1/organizations/{org}/feature-flags/{flag_key}/evaluation";
    case Route::kOrgEventStream:
      return "/api/v1/organizations/{org}/events/stream";
    case Route::kOfrepFlag:
      return "/ofrep/v1/evaluate/flags/{key}";
    case Route::kOfrepFlags:
      return "/ofrep/v1/evaluate/flags";
    case Route::kOpenApi:
      return "/api/v1/openapi.json";
    case Route::kMetrics:
      return "/metrics";
  }
  return "";
}

std::string_view AllowedMethods(Route route) {
  switch (route) {
    case Route::kHealth:
    case Route::kReady:
    case Route::kFlagHistory:
    case Route::kOrgEvents:
    case Route::kAllEvents:
    case Route::kFlagEvaluation:
    case Route::kOpenApi:
    case Route::kMetrics:
      return "GET, HEAD";
    case Route::kOrgEventStream:
      return "GET";
    case Route::kOfrepFlag:
    case Route::kOfrepFlags:
      return "POST";
    case Route::kFlags:
      return "GET, HEAD, POST";
    case Route::kFlag:
      return "GET, HEAD, PUT, DELETE";
    case Route::kFlagRollout:
      return "PATCH";
  }
  return "";
}

bool IsMethodAllowed(Route route, std::string_view method) {
  if (method == "HEAD") method = "GET";
  std::string_view allowed = AllowedMethods(route);
  while (!allowed.empty()) {
    std::size_t comma = allowed.find(", ");
    if (allowed.substr(0, comma) == method) return true;
    if (comma == std::string_view::npos) break;
    allowed.remove_prefix(comma + 2);
  }
  return false;
}

}  // namespace flagledger

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
  if (s.size() == 4 && s[2] == "events" && s[3] == "head") {
    return RouteMatch{Route::kLogHead, {}, {}};
  }
  if (s.size() == 4 && s[2] == "events" && s[3] == "stream") {
    return RouteMatch{Route::kLogEventStream, {}, {}};
  }
  if (s.size() == 3 && s[2] == "openapi.json") return RouteMatch{Route::kOpenApi, {}, {}};
  if (s.size() == 4 && s[2] == "replication" && s[3] == "checkpoint") {
    return RouteMatch{Route::kReplicationCheckpoint, {}, {}};
  }
  if (s.size() < 5 || s.size() > 8 || s[2] != "organizations") return std::nullopt;
  if (s.size() == 5 && s[4] == "events") return RouteMatch{Route::kOrgEvents, s[3], {}};
  if (s.size() == 5 && s[4] == "diff") return RouteMatch{Route::kOrgDiff, s[3], {}};
  if (s.size() == 5 && s[4] == "evaluation") return RouteMatch{Route::kOrgEvaluation, s[3], {}};
  if (s.size() == 5 && s[4] == "restore") return RouteMatch{Route::kOrgRestore, s[3], {}};
  if (s.size() == 5 && s[4] == "token-events") {
    return RouteMatch{Route::kOrgTokenEvents, s[3], {}};
  }
  if (s.size() == 6 && s[4] == "events" && s[5] == "stream") {
    return RouteMatch{Route::kOrgEventStream, s[3], {}};
  }
  if (s[4] != "feature-flags") return std::nullopt;
  if (s.size() == 5) return RouteMatch{Route::kFlags, s[3], {}};
  if (s.size() == 6) return RouteMatch{Route::kFlag, s[3], s[5]};
  if (s.size() == 8) {
    if (s[6] == "evaluation" && s[7] == "timeline") {
      return RouteMatch{Route::kFlagTimeline, s[3], s[5]};
    }
    return std::nullopt;
  }
  if (s[6] == "rollout") return RouteMatch{Route::kFlagRollout, s[3], s[5]};
  if (s[6] == "history") return RouteMatch{Route::kFlagHistory, s[3], s[5]};
  if (s[6] == "evaluation") return RouteMatch{Route::kFlagEvaluation, s[3], s[5]};
  if (s[6] == "revert") return RouteMatch{Route::kFlagRevert, s[3], s[5]};
  return std::nullopt;
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

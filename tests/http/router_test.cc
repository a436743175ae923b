#include "http/router.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <set>
#include <string>

#include "http/metrics.h"
#include "http/openapi_document.h"
#include "tests/testing/route_paths.h"

namespace flagledger {
namespace {

std::optional<RouteMatch> Match(std::string_view target) {
  return MatchRoute(ParseRequestTarget(target));
}

TEST(Router, MatchesEveryRoute) {
  EXPECT_EQ(Match("/healthz")->route, Route::kHealth);
  EXPECT_EQ(Match("/readyz")->route, Route::kReady);
  auto flags = Match("/api/v1/organizations/org-a/feature-flags?page=2");
  ASSERT_TRUE(flags);
  EXPECT_EQ(flags->route, Route::kFlags);
  EXPECT_EQ(flags->organization_id, "org-a");
  auto flag = Match("/api/v1/organizations/org-a/feature-flags/beta");
  ASSERT_TRUE(flag);
  EXPECT_EQ(flag->route, Route::kFlag);
  EXPECT_EQ(flag->flag_key, "beta");
  EXPECT_EQ(Match("/api/v1/organizations/org-a/feature-flags/beta/rollout")->route,
            Route::kFlagRollout);
}

TEST(Router, EveryRouteInTheTableMatchesItsOwnTemplate) {
  std::set<std::string_view> templates;
  for (const RouteInfo& route : kRoutes) {
    auto match = Match(PathOf(route));
    ASSERT_TRUE(match) << route.path_template;
    EXPECT_EQ(match->route, route.route) << route.path_template;
    EXPECT_TRUE(templates.insert(route.path_template).second) << route.path_template;
    EXPECT_FALSE(MethodsOf(route).empty()) << route.path_template;
  }
  EXPECT_EQ(templates.size(), kRouteCount);
}

// The OpenAPI document and the route table list the same operations: every route's methods
// (HEAD implied by GET) and no operation the server does not route.
TEST(Router, TheOpenApiDocumentListsExactlyTheRoutedOperations) {
  simdjson::dom::parser parser;
  simdjson::padded_string document(OpenApiDocument());
  simdjson::dom::object paths;
  ASSERT_EQ(parser.parse(document)["paths"].get(paths), simdjson::SUCCESS);
  std::set<std::string> documented, routed;
  for (auto [path, item] : paths) {
    for (auto [method, operation] : item.get_object()) {
      std::string name(method);
      if (name == "parameters" || name == "summary" || name == "description") continue;
      for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(name + " " + std::string(path));
    }
  }
  for (const RouteInfo& route : kRoutes) {
    for (const std::string& method : MethodsOf(route)) {
      if (method == "HEAD") continue;  // documented with GET
      routed.insert(method + " " + std::string(route.path_template));
    }
  }
  EXPECT_EQ(documented, routed);
}

// Each route has its own label in /metrics, and a request no route matched is "unmatched".
TEST(Router, EveryRouteHasItsOwnMetricsLabel) {
  Metrics metrics;
  for (const RouteInfo& route : kRoutes) {
    metrics.ObserveRequest(route.route, "GET", 200, std::chrono::milliseconds(1));
  }
  metrics.ObserveRequest(std::nullopt, "GET", 404, std::chrono::milliseconds(1));
  std::string text = metrics.RenderRequests();
  for (const RouteInfo& route : kRoutes) {
    EXPECT_NE(text.find("route=\"" + std::string(route.path_template) + "\",method=\"GET\""),
              std::string::npos)
        << route.path_template;
  }
  EXPECT_NE(text.find("route=\"unmatched\""), std::string::npos);
}

TEST(Router, RejectsOtherShapes) {
  for (const char* target :
       {"/", "/api/v1", "/api/v1/organizations/org-a", "/api/v1/organizations/org-a/flags",
        "/api/v1/organizations/org-a/feature-flags/", "/api/v1/organizations//feature-flags",
        "/api/v1/organizations/org-a/feature-flags/beta/other",
        "/api/v2/organizations/org-a/feature-flags", "/healthz/",
        "/api/v1/organizations/org-a/feature-flags/beta/rollout/x"}) {
    EXPECT_FALSE(Match(target)) << target;
  }
}

TEST(Router, KnowsTheMethodsOfEachRoute) {
  EXPECT_TRUE(IsMethodAllowed(Route::kFlags, "GET"));
  EXPECT_TRUE(IsMethodAllowed(Route::kFlags, "HEAD"));
  EXPECT_TRUE(IsMethodAllowed(Route::kFlags, "POST"));
  EXPECT_FALSE(IsMethodAllowed(Route::kFlags, "PUT"));
  EXPECT_TRUE(IsMethodAllowed(Route::kFlag, "DELETE"));
  EXPECT_FALSE(IsMethodAllowed(Route::kFlag, "PATCH"));
  EXPECT_TRUE(IsMethodAllowed(Route::kFlagRollout, "PATCH"));
  EXPECT_FALSE(IsMethodAllowed(Route::kFlagRollout, "GET"));
  EXPECT_FALSE(IsMethodAllowed(Route::kFlag, "get"));
  EXPECT_EQ(AllowedMethods(Route::kFlag), "GET, HEAD, PUT, DELETE");
}

}  // namespace
}  // namespace flagledger

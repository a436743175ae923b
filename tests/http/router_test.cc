#include "http/router.h"

#include <gtest/gtest.h>

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

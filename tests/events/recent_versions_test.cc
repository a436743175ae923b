#include "events/recent_versions.h"

#include <gtest/gtest.h>

#include <string>

namespace flagledger {
namespace {

std::string Stream(int i) { return "org-a/flag-" + std::to_string(i); }

TEST(RecentVersions, FindsTheLastRememberedVersion) {
  RecentVersions recent(4);
  EXPECT_EQ(recent.Find("a"), std::nullopt);
  recent.Remember("a", 1);
  recent.Remember("a", 2);
  EXPECT_EQ(recent.Find("a"), 2u);
  EXPECT_EQ(recent.Find("b"), std::nullopt);
}

// A stream stays known while it is written again within per_generation other streams, however
// many streams pass through in total: found in the previous generation, it moves back.
TEST(RecentVersions, KeepsAStreamThatIsWrittenAgainAndForgetsOneThatIsNot) {
  RecentVersions recent(100);
  recent.Remember("hot", 7);
  recent.Remember("cold", 3);
  for (int i = 0; i < 1000; ++i) {
    recent.Remember(Stream(i), 1);
    if (i % 90 == 0) {
      ASSERT_EQ(recent.Find("hot"), 7u) << "after " << i << " other streams";
    }
  }
  EXPECT_EQ(recent.Find("hot"), 7u);
  EXPECT_EQ(recent.Find("cold"), std::nullopt) << "two generations went by without it";
}

TEST(RecentVersions, HoldsAtMostTwoGenerations) {
  RecentVersions recent(100);
  for (int i = 0; i < 10'000; ++i) {
    recent.Remember(Stream(i), static_cast<std::uint64_t>(i));
    ASSERT_LE(recent.size(), 200u);
  }
  EXPECT_GE(recent.size(), 100u);
  EXPECT_EQ(recent.Find(Stream(9'999)), 9'999u);
}

// A newer version remembered while an older one sits in the previous generation wins, also
// after the generations turn over.
TEST(RecentVersions, ANewerVersionShadowsTheOneInThePreviousGeneration) {
  RecentVersions recent(3);
  recent.Remember("x", 1);
  recent.Remember(Stream(1), 1);
  recent.Remember(Stream(2), 1);  // x now in the previous generation
  recent.Remember("x", 2);
  EXPECT_EQ(recent.Find("x"), 2u);
  recent.Remember(Stream(3), 1);
  recent.Remember(Stream(4), 1);  // turns over: the x = 1 generation is dropped
  EXPECT_EQ(recent.Find("x"), 2u);
}

}  // namespace
}  // namespace flagledger

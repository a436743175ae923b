#include "core/semver.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace flagledger {
namespace {

TEST(SemVer, ParsesCoreVersion) {
  auto version = SemVer::Parse("2.4.0");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->text(), "2.4.0");
  EXPECT_EQ(version->core(), "2.4.0");
  EXPECT_EQ(version->prerelease(), "");
  EXPECT_EQ(version->build(), "");
}

TEST(SemVer, ParsesPrereleaseAndBuild) {
  auto version = SemVer::Parse("1.0.0-alpha.1+exp.sha.5114f85");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->core(), "1.0.0");
  EXPECT_EQ(version->prerelease(), "alpha.1");
  EXPECT_EQ(version->build(), "exp.sha.5114f85");
  auto build_only = SemVer::Parse("1.0.0+20130313144700");
  ASSERT_TRUE(build_only.ok());
  EXPECT_EQ(build_only->prerelease(), "");
  EXPECT_EQ(build_only->build(), "20130313144700");
}

TEST(SemVer, AcceptsTheSpecsValidExamples) {
  for (const char* text : {"0.0.4",
                           "1.2.3",
                           "10.20.30",
                           "1.1.2-prerelease+meta",
                           "1.1.2+meta",
                           "1.1.2+meta-valid",
                           "1.0.0-alpha",
                           "1.0.0-beta",
                           "1.0.0-alpha.beta",
                           "1.0.0-alpha.beta.1",
                           "1.0.0-alpha.1",
                           "1.0.0-alpha0.valid",
                           "1.0.0-alpha.0valid",
                           "1.0.0-rc.1+build.1",
                           "2.0.0-rc.1+build.123",
                           "1.2.3-beta",
                           "10.2.3-DEV-SNAPSHOT",
                           "1.2.3-SNAPSHOT-123",
                           "2.0.0+build.1848",
                           "2.0.1-alpha.1227",
                           "1.0.0-0A.is.legal",
                           "1.2.3----RC-SNAPSHOT.12.9.1--.12+788",
                           "1.0.0+0.build.1-rc.10000aaa-kk-0.1",
                           "99999999999999999999999.999999999999999999.99999999999999999"}) {
    EXPECT_TRUE(SemVer::Parse(text).ok()) << text;
  }
}

TEST(SemVer, RejectsTheSpecsInvalidExamples) {
  for (const char* text : {"",
                           "1",
                           "1.2",
                           "1.2.3-0123",
                           "1.2.3-0123.0123",
                           "1.1.2+.123",
                           "+invalid",
                           "-invalid",
                           "-invalid+invalid",
                           "-invalid.01",
                           "alpha",
                           "alpha.beta",
                           "alpha.beta.1",
                           "alpha.1",
                           "alpha+beta",
                           "alpha_beta",
                           "alpha.",
                           "alpha..",
                           "beta",
                           "1.0.0-alpha_beta",
                           "-alpha.",
                           "1.0.0-alpha..",
                           "1.0.0-alpha..1",
                           "1.0.0-alpha...1",
                           "01.1.1",
                           "1.01.1",
                           "1.1.01",
                           "1.2.3.DEV",
                           "1.2-SNAPSHOT",
                           "1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788",
                           "1.2-RC-SNAPSHOT",
                           "-1.0.3-gamma+b7718",
                           "+justmeta",
                           "9.8.7+meta+meta",
                           "9.8.7-whatever+meta+meta",
                           "1.0.0-",
                           "1.0.0+",
                           "v1.0.0",
                           " 1.0.0",
                           "1.0.0 ",
                           "1.0.0-ä"}) {
    EXPECT_FALSE(SemVer::Parse(text).ok()) << text;
  }
}

TEST(SemVer, RejectsVersionsLongerThan64Characters) {
  std::string longest = "1.0.0-" + std::string(58, 'a');
  ASSERT_EQ(longest.size(), 64u);
  EXPECT_TRUE(SemVer::Parse(longest).ok());
  EXPECT_FALSE(SemVer::Parse(longest + "a").ok());
}

TEST(SemVer, ErrorsAreValidationFailures) {
  auto version = SemVer::Parse("1.2");
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.status().code(), ErrorCode::kValidationFailed);
  EXPECT_FALSE(version.status().detail().empty());
}

int Compare(const char* a, const char* b) {
  return ComparePrecedence(SemVer::Parse(a).value(), SemVer::Parse(b).value());
}

TEST(SemVer, PrecedenceFollowsTheSpecsOrdering) {
  // semver.org §11.4's example chain, plus numeric comparisons that string order gets wrong.
  std::vector<const char*> ascending = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                                        "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                                        "1.0.0-rc.1",  "1.0.0",         "1.0.1",
                                        "1.2.0",       "1.10.0",        "2.0.0-0",
                                        "2.0.0",       "10.0.0"};
  for (std::size_t i = 0; i < ascending.size(); ++i) {
    for (std::size_t j = 0; j < ascending.size(); ++j) {
      int expected = i < j ? -1 : (i == j ? 0 : 1);
      EXPECT_EQ(Compare(ascending[i], ascending[j]), expected)
          << ascending[i] << " vs " << ascending[j];
    }
  }
}

TEST(SemVer, PreReleaseSortsBeforeRelease) {
  EXPECT_LT(Compare("3.0.0-rc.1", "3.0.0"), 0);
  EXPECT_GT(Compare("3.0.0", "3.0.0-rc.1"), 0);
}

TEST(SemVer, NumericIdentifiersSortBeforeAlphanumeric) {
  EXPECT_LT(Compare("1.0.0-1", "1.0.0-a"), 0);
  EXPECT_LT(Compare("1.0.0-999", "1.0.0-1a"), 0);
}

TEST(SemVer, BuildMetadataDoesNotAffectPrecedenceButDoesIdentity) {
  EXPECT_EQ(Compare("1.0.0+a", "1.0.0+b"), 0);
  EXPECT_FALSE(SemVer::Parse("1.0.0+a").value() == SemVer::Parse("1.0.0+b").value());
}

TEST(SemVer, ComparesNumbersBeyond64Bits) {
  EXPECT_LT(Compare("18446744073709551616.0.0", "18446744073709551617.0.0"), 0);
  EXPECT_GT(Compare("100000000000000000000.0.0", "99999999999999999999.0.0"), 0);
}

}  // namespace
}  // namespace flagledger

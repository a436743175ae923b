#include "http/request_target.h"

#include <gtest/gtest.h>

#include <vector>

namespace flagledger {
namespace {

TEST(RequestTarget, SplitsSegmentsAndQuery) {
  RequestTarget target = ParseRequestTarget("/api/v1/x%2Fy?page=2&limit=5");
  EXPECT_EQ(target.path, "/api/v1/x%2Fy");
  EXPECT_EQ(std::vector<std::string_view>(target.segments.begin(), target.segments.end()),
            (std::vector<std::string_view>{"api", "v1", "x%2Fy"}));
  ASSERT_EQ(target.query.size(), 2u);
  EXPECT_EQ(target.query[0], (std::pair<std::string, std::string>{"page", "2"}));
  EXPECT_TRUE(target.query_well_formed);
}

TEST(RequestTarget, KeepsEmptySegments) {
  auto segments = ParseRequestTarget("/a//b/").segments;
  EXPECT_EQ(std::vector<std::string_view>(segments.begin(), segments.end()),
            (std::vector<std::string_view>{"a", "", "b", ""}));
}

TEST(RequestTarget, DecodesQueryComponents) {
  RequestTarget target =
      ParseRequestTarget("/x?as%5Fof=2026-01-01T00%3A00%3A00%2B01%3A00&a=b+c&flag");
  ASSERT_EQ(target.query.size(), 3u);
  EXPECT_EQ(target.query[0].first, "as_of");
  EXPECT_EQ(target.query[0].second, "2026-01-01T00:00:00+01:00");
  EXPECT_EQ(target.query[1].second, "b c");
  EXPECT_EQ(target.query[2].first, "flag");
  EXPECT_EQ(target.query[2].second, "");
}

TEST(RequestTarget, FlagsMalformedQueryEscapes) {
  EXPECT_FALSE(ParseRequestTarget("/x?page=%zz").query_well_formed);
  EXPECT_FALSE(ParseRequestTarget("/x?page=%4").query_well_formed);
}

TEST(PercentDecode, DecodesAndRejectsMalformedEscapes) {
  EXPECT_EQ(PercentDecode("a%2Db%2fc"), "a-b/c");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("%"), std::nullopt);
  EXPECT_EQ(PercentDecode("%4"), std::nullopt);
  EXPECT_EQ(PercentDecode("%g0"), std::nullopt);
}

}  // namespace
}  // namespace flagledger

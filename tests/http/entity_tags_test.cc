#include "http/entity_tags.h"

#include <gtest/gtest.h>

namespace flagledger {
namespace {

TEST(EntityTags, IfNoneMatchComparesFlagVersionsWeakly) {
  EXPECT_TRUE(IfNoneMatchHits("\"3\"", 3));
  EXPECT_TRUE(IfNoneMatchHits("W/\"3\"", 3));
  EXPECT_TRUE(IfNoneMatchHits("\"1\", \"3\"", 3));
  EXPECT_TRUE(IfNoneMatchHits(" * ", 3));
  EXPECT_FALSE(IfNoneMatchHits("\"4\"", 3));
  EXPECT_FALSE(IfNoneMatchHits("3", 3));
  EXPECT_FALSE(IfNoneMatchHits("\"\"", 0));
}

TEST(EntityTags, IfNoneMatchComparesOpaqueTagsWeakly) {
  std::string_view etag = "\"f3217dae279a648d\"";
  EXPECT_TRUE(IfNoneMatchHits("\"f3217dae279a648d\"", etag));
  EXPECT_TRUE(IfNoneMatchHits("W/\"f3217dae279a648d\"", etag));
  EXPECT_TRUE(IfNoneMatchHits("\"other\",\t\"f3217dae279a648d\"", etag));
  EXPECT_TRUE(IfNoneMatchHits("*", etag));
  EXPECT_FALSE(IfNoneMatchHits("\"f3217dae279a648e\"", etag));
  EXPECT_FALSE(IfNoneMatchHits("f3217dae279a648d", etag)) << "a tag needs its quotes";
  EXPECT_FALSE(IfNoneMatchHits("", etag));
}

TEST(EntityTags, IfMatchAcceptsStrongVersionsOnly) {
  VersionPrecondition precondition = ParseIfMatch("\"2\", W/\"3\", \"x\", \"5\"");
  EXPECT_FALSE(precondition.any);
  EXPECT_TRUE(precondition.Accepts(2));
  EXPECT_FALSE(precondition.Accepts(3)) << "weak tags never match If-Match";
  EXPECT_TRUE(precondition.Accepts(5));
  EXPECT_TRUE(ParseIfMatch("*").any);
}

}  // namespace
}  // namespace flagledger

#include "http/list_page_cache.h"

#include <gtest/gtest.h>

namespace flagledger {
namespace {

TEST(ListPageCache, FindsThePageItKeptAndNoOther) {
  ListPageCache cache(1 << 20);
  OrgState org("org-a", {}), other("org-b", {});
  auto kept = cache.Keep(org, 0, 20, "page one");
  EXPECT_EQ(*kept, "page one");
  auto found = cache.Find(org, 0, 20);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found.get(), kept.get()) << "shared, not copied";
  EXPECT_EQ(cache.Find(org, 20, 20), nullptr) << "another offset";
  EXPECT_EQ(cache.Find(org, 0, 10), nullptr) << "another limit";
  EXPECT_EQ(cache.Find(other, 0, 20), nullptr) << "another state";
}

TEST(ListPageCache, AStateKeepsTheLastPageRendered) {
  ListPageCache cache(1 << 20);
  OrgState org("org-a", {});
  cache.Keep(org, 0, 20, "page one");
  cache.Keep(org, 20, 20, "page two");
  EXPECT_EQ(cache.Find(org, 0, 20), nullptr);
  ASSERT_NE(cache.Find(org, 20, 20), nullptr);
  EXPECT_EQ(*cache.Find(org, 20, 20), "page two");
  EXPECT_EQ(cache.kept_bytes(), 8u);
}

TEST(ListPageCache, CountsAPageUntilItsLastHolderLetsGo) {
  ListPageCache cache(1 << 20);
  auto org = std::make_shared<const OrgState>("org-a", FlagList());
  auto answer = cache.Keep(*org, 0, 20, "12345");  // an answer still being sent
  cache.Keep(*org, 20, 20, "1234567");
  EXPECT_EQ(cache.kept_bytes(), 12u) << "the replaced page is still held by the answer";
  answer.reset();
  EXPECT_EQ(cache.kept_bytes(), 7u);
  org.reset();  // a newer state replaced it and no reader holds it
  EXPECT_EQ(cache.kept_bytes(), 0u);
}

TEST(ListPageCache, ServesButDoesNotKeepAPagePastTheBudget) {
  ListPageCache cache(10);
  OrgState org("org-a", {});
  auto big = cache.Keep(org, 0, 20, "eleven char");
  EXPECT_EQ(*big, "eleven char");
  EXPECT_EQ(cache.Find(org, 0, 20), nullptr);
  EXPECT_EQ(cache.kept_bytes(), 0u);
  cache.Keep(org, 0, 20, "ten chars!");
  EXPECT_NE(cache.Find(org, 0, 20), nullptr) << "exactly the budget fits";

  ListPageCache off(0);
  off.Keep(org, 20, 20, "x");
  EXPECT_EQ(off.Find(org, 20, 20), nullptr);
  EXPECT_NE(cache.Find(org, 0, 20), nullptr) << "a page refused elsewhere leaves this one";
}

TEST(ListPageCache, KeptPagesMayOutliveTheCache) {
  auto org = std::make_shared<const OrgState>("org-a", FlagList());
  {
    ListPageCache cache(1 << 20);
    cache.Keep(*org, 0, 20, "page one");
  }
  EXPECT_NE(org->rendered_page(), nullptr);
  org.reset();  // releases the page against the cache's budget, which the page holds
}

}  // namespace
}  // namespace flagledger

#include "projections/organization_diff.h"

#include <gtest/gtest.h>

#include "events/event_log.h"
#include "tests/testing/event_builders.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

std::string Key(int i) {
  std::string digits = std::to_string(i);
  return "flag-" + std::string(4 - digits.size(), '0') + digits;
}

Event UpdatedEvent(const std::string& org, const std::string& key, bool enabled, Timestamp at) {
  Event event = CreatedEvent(org, key, enabled, at);
  event.type = EventType::kFlagUpdated;
  event.changes.enabled = EnabledChange{!enabled, enabled};
  event.changes.rollout_condition.reset();
  return event;
}

// An organization of 400 flags (more than one walk batch of the diff): between the two points
// flags i % 4 == 1 are switched off, i % 4 == 2 switched off and on again (no difference),
// i % 4 == 3 deleted; 20 flags are created; flags i % 4 == 0 and another organization's
// flags do not change.
class OrganizationDiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = EventLog::Open(dir_.path(), EventLogOptions{}).value();
    Timestamp t = Time("2026-01-01T00:00:00Z");
    std::vector<Event> events;
    for (int i = 0; i < 400; ++i) {
      events.push_back(CreatedEvent("org-a", Key(i), true, t));
      events.push_back(CreatedEvent("org-b", Key(i), true, t));
    }
    ASSERT_TRUE(log_->Append(events).ok());
    from_ = log_->last_sequence();
    events.clear();
    for (int i = 0; i < 400; ++i) {
      if (i % 4 == 1) events.push_back(UpdatedEvent("org-a", Key(i), false, t));
      if (i % 4 == 2) {
        events.push_back(UpdatedEvent("org-a", Key(i), false, t));
        events.push_back(UpdatedEvent("org-a", Key(i), true, t));
      }
      if (i % 4 == 3) events.push_back(DeletedEvent("org-a", Key(i), t));
      if (i % 20 == 0) events.push_back(CreatedEvent("org-a", Key(i) + "-new", true, t));
      events.push_back(UpdatedEvent("org-b", Key(i), false, t));
    }
    ASSERT_TRUE(log_->Append(events).ok());
    to_ = log_->last_sequence();
  }

  TempDir dir_;
  std::unique_ptr<EventLog> log_;
  std::uint64_t from_ = 0, to_ = 0;
};

TEST_F(OrganizationDiffTest, ListsExactlyTheFlagsThatDifferWithTheirEvents) {
  auto diff = DiffOrganization(*log_, "org-a", from_, to_, "", 1000);
  ASSERT_TRUE(diff.ok());
  EXPECT_FALSE(diff->has_more);
  ASSERT_EQ(diff->flags.size(), 100u + 100u + 20u);
  for (const FlagDifference& difference : diff->flags) {
    SCOPED_TRACE(difference.flag_key);
    if (difference.flag_key.ends_with("-new")) {
      EXPECT_EQ(difference.from, nullptr);
      ASSERT_NE(difference.to, nullptr);
      EXPECT_EQ(difference.events.size(), 1u);
      continue;
    }
    int i = std::stoi(difference.flag_key.substr(5));
    ASSERT_TRUE(i % 4 == 1 || i % 4 == 3);
    ASSERT_NE(difference.from, nullptr);
    EXPECT_TRUE(difference.from->flag.enabled);
    if (i % 4 == 1) {
      ASSERT_NE(difference.to, nullptr);
      EXPECT_FALSE(difference.to->flag.enabled);
    } else {
      EXPECT_EQ(difference.to, nullptr);
    }
    ASSERT_EQ(difference.events.size(), 1u);
    EXPECT_GT(difference.events[0].sequence, from_);
  }
}

TEST_F(OrganizationDiffTest, PagesConcatenateToTheWholeDiff) {
  auto whole = DiffOrganization(*log_, "org-a", from_, to_, "", 1000);
  ASSERT_TRUE(whole.ok());
  std::vector<std::string> paged;
  std::string after;
  for (int page = 0; page < 20; ++page) {
    auto part = DiffOrganization(*log_, "org-a", from_, to_, after, 30);
    ASSERT_TRUE(part.ok());
    for (const FlagDifference& difference : part->flags) paged.push_back(difference.flag_key);
    if (!part->has_more) break;
    ASSERT_EQ(part->flags.size(), 30u);
    after = part->flags.back().flag_key;
  }
  std::vector<std::string> expected;
  for (const FlagDifference& difference : whole->flags) expected.push_back(difference.flag_key);
  EXPECT_EQ(paged, expected);
}

TEST_F(OrganizationDiffTest, NothingDiffersBetweenAPointAndItself) {
  auto diff = DiffOrganization(*log_, "org-a", to_, to_, "", 1000);
  ASSERT_TRUE(diff.ok());
  EXPECT_TRUE(diff->flags.empty());
  EXPECT_FALSE(diff->has_more);
}

TEST(FlagStreamWalk, ResumesAfterAKeyAndStopsWhenAsked) {
  TempDir dir;
  auto log = EventLog::Open(dir.path(), EventLogOptions{}).value();
  Timestamp t = Time("2026-01-01T00:00:00Z");
  std::vector<Event> events = {
      CreatedEvent("org-a", "a", true, t), CreatedEvent("org-a", "a.b", true, t),
      CreatedEvent("org-a", "b", true, t), CreatedEvent("org-ab", "c", true, t),
      UpdatedEvent("org-a", "a", false, t)};
  ASSERT_TRUE(log->Append(events).ok());
  const std::uint64_t points[] = {5, 2};
  std::vector<std::pair<std::string, std::vector<std::uint64_t>>> seen;
  auto walk = [&](std::string_view after, std::size_t stop_after) {
    seen.clear();
    EXPECT_TRUE(
        log->ForEachFlagStreamAt("org-a", points, after,
                                 [&](std::string_view key, std::span<const std::uint64_t> newest) {
                                   seen.emplace_back(std::string(key),
                                                     std::vector(newest.begin(), newest.end()));
                                   return seen.size() < stop_after;
                                 })
            .ok());
    return seen;
  };
  using Seen = std::vector<std::pair<std::string, std::vector<std::uint64_t>>>;
  EXPECT_EQ(walk("", 10), (Seen{{"a", {5, 1}}, {"a.b", {2, 2}}, {"b", {3, 0}}}));
  EXPECT_EQ(walk("a", 10), (Seen{{"a.b", {2, 2}}, {"b", {3, 0}}}));
  EXPECT_EQ(walk("a.b", 10), (Seen{{"b", {3, 0}}}));
  EXPECT_EQ(walk("b", 10), Seen{});
  EXPECT_EQ(walk("", 2), (Seen{{"a", {5, 1}}, {"a.b", {2, 2}}}));
}

}  // namespace
}  // namespace flagledger

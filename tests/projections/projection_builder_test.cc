#include "projections/projection_builder.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "projections/snapshot_codec.h"
#include "tests/testing/event_builders.h"

namespace flagledger {
namespace {

Event Numbered(Event event, std::uint64_t sequence, std::uint64_t version) {
  event.sequence = sequence;
  event.version = version;
  return event;
}

// Every type of the list folds to what its event says: a flag event leaves the flag it carries
// (none after a delete), in both the writer's Apply and the rebuild's Fold, and a token event
// leaves the flags alone.
TEST(ProjectionBuilder, FoldsASampleOfEveryTypeInTheList) {
  Timestamp t = Time("2026-01-01T00:00:00Z");
  for (const EventTypeInfo& info : kEventTypes) {
    for (bool fold : {false, true}) {
      ProjectionBuilder builder;
      builder.Apply(Numbered(CreatedEvent("org-a", "k", false, t), 1, 1));
      Event event = Numbered(SampleEventOf(info.type, "org-a", "k", t), 2, 2);
      std::optional<Flag> expected = event.flag;
      if (fold) {
        builder.Fold(std::move(event));
      } else {
        builder.Apply(event);
      }
      auto snapshot = builder.Build();
      EXPECT_EQ(snapshot->sequence, 2u) << info.name;
      const OrgState* org = snapshot->FindOrganization("org-a");
      const FlagRecord* record = org ? org->Find("k") : nullptr;
      if (info.subject == EventSubject::kToken) {
        ASSERT_NE(record, nullptr) << info.name;
        EXPECT_EQ(record->version, 1u) << info.name << ": a token event changed a flag";
      } else if (!expected) {
        EXPECT_EQ(record, nullptr) << info.name;
      } else {
        ASSERT_NE(record, nullptr) << info.name;
        EXPECT_EQ(record->flag, *expected) << info.name;
        EXPECT_EQ(record->version, 2u) << info.name;
      }
    }
  }
}

TEST(ProjectionBuilder, FoldsCreatesAndDeletes) {
  Timestamp t = Time("2026-01-01T00:00:00Z");
  ProjectionBuilder builder;
  builder.Apply(Numbered(CreatedEvent("org-a", "b", true, t), 1, 1));
  builder.Apply(Numbered(CreatedEvent("org-a", "a", false, t), 2, 1));
  auto deleted = builder.Apply(Numbered(DeletedEvent("org-a", "b", t), 3, 2));
  EXPECT_EQ(deleted, nullptr);
  builder.Apply(Numbered(CreatedEvent("org-b", "z", true, t), 4, 1));
  auto snapshot = builder.Build();
  EXPECT_EQ(snapshot->sequence, 4u);
  ASSERT_EQ(snapshot->organizations.size(), 2u);
  const OrgState* org = snapshot->FindOrganization("org-a");
  ASSERT_NE(org, nullptr);
  EXPECT_EQ(org->size(), 1u);
  EXPECT_NE(org->Find("a"), nullptr);
  EXPECT_EQ(org->Find("b"), nullptr);
  EXPECT_EQ(snapshot->FlagCount(), 2u);
}

TEST(ProjectionBuilder, KeepsFlagsInBytewiseKeyOrder) {
  Timestamp t = Time("2026-01-01T00:00:00Z");
  ProjectionBuilder builder;
  std::uint64_t sequence = 0;
  for (const char* key : {"b", "B", "a-1", "a", "a.1", "0", "a_1"}) {
    builder.Apply(Numbered(CreatedEvent("org-a", key, true, t), ++sequence, 1));
  }
  auto snapshot = builder.Build();
  std::vector<std::string> keys;
  for (const auto& record : snapshot->FindOrganization("org-a")->flags()) {
    keys.push_back(record->flag.flag_key);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"0", "B", "a", "a-1", "a.1", "a_1", "b"}));
}

TEST(ProjectionBuilder, PagesByOffset) {
  Timestamp t = Time("2026-01-01T00:00:00Z");
  ProjectionBuilder builder;
  for (int i = 0; i < 25; ++i) {
    char key[8];
    std::snprintf(key, sizeof(key), "k%02d", i);
    builder.Apply(Numbered(CreatedEvent("org-a", key, true, t), i + 1, 1));
  }
  auto snapshot = builder.Build();
  const OrgState* org = snapshot->FindOrganization("org-a");
  auto second = org->Page(20, 20);
  ASSERT_EQ(second.size(), 5u);
  EXPECT_EQ((*second.begin())->flag.flag_key, "k20");
  EXPECT_TRUE(org->Page(25, 20).empty());
  EXPECT_TRUE(org->Page(1000, 20).empty());
}

TEST(ProjectionBuilder, SharesUntouchedOrganizationsWithTheBase) {
  Timestamp t = Time("2026-01-01T00:00:00Z");
  ProjectionBuilder first;
  first.Apply(Numbered(CreatedEvent("org-a", "x", true, t), 1, 1));
  first.Apply(Numbered(CreatedEvent("org-b", "y", true, t), 2, 1));
  auto base = first.Build();

  ProjectionBuilder next(base);
  auto record = next.Apply(Numbered(DeletedEvent("org-b", "y", t), 3, 2));
  EXPECT_EQ(record, nullptr);
  auto snapshot = next.Build();
  EXPECT_EQ(snapshot->organizations.size(), 1u) << "an organization without flags disappears";
  EXPECT_EQ(snapshot->FindOrganization("org-a"), base->FindOrganization("org-a"));
  EXPECT_NE(base->FindOrganization("org-b"), nullptr) << "the base is never modified";
}

// The writer's path (small batches, each built on the last snapshot) and the start-up path (one
// fold of every event) reach the same projection, here with organizations that span many
// chunks of their flag lists, and with more than a chunk of organizations.
TEST(ProjectionBuilder, BatchesBuiltOnEachOtherEqualOneFold) {
  std::mt19937 random(20261125);
  Timestamp t = Time("2026-01-01T00:00:00Z");
  std::vector<Event> events;
  std::map<std::pair<std::string, std::string>, std::uint64_t> versions;  // live flags
  std::set<std::pair<std::string, std::string>> deleted;
  for (std::uint64_t sequence = 1; sequence <= 12'000; ++sequence) {
    std::string org = random() % 3 == 0 ? "org-" + std::to_string(random() % 400) : "org-big";
    std::string key = "f" + std::to_string(random() % 3'000);
    auto stream = std::make_pair(org, key);
    Event event = versions.count(stream) && random() % 3 == 0
                      ? DeletedEvent(org, key, t)
                      : CreatedEvent(org, key, random() % 2, t);
    if (event.type == EventType::kFlagCreated && versions.count(stream))
      event.type = EventType::kFlagUpdated;
    std::uint64_t version = ++versions[stream];
    if (event.type == EventType::kFlagDeleted) {
      versions.erase(stream);
      deleted.insert(stream);
    }
    events.push_back(Numbered(std::move(event), sequence, version));
  }
  std::shared_ptr<const ProjectionSnapshot> batched;
  for (std::size_t next = 0; next < events.size();) {
    ProjectionBuilder batch(batched);
    for (std::size_t end = std::min(events.size(), next + 1 + random() % 60); next < end; ++next) {
      batch.Apply(events[next]);
    }
    batched = batch.Build();
  }
  ProjectionBuilder fold;
  for (Event event : events) fold.Fold(std::move(event));
  auto folded = fold.Build();

  std::string difference;
  EXPECT_TRUE(SameProjection(*batched, *folded, &difference)) << difference;
  EXPECT_EQ(batched->FlagCount(), versions.size());
  const OrgState* big = batched->FindOrganization("org-big");
  ASSERT_NE(big, nullptr);
  EXPECT_GT(big->size(), 1'000u) << "spans several chunks";
  EXPECT_GT(batched->organizations.size(), 300u) << "more than a chunk of organizations";
  for (const auto& [stream, version] : versions) {
    const OrgState* org = batched->FindOrganization(stream.first);
    ASSERT_NE(org, nullptr) << stream.first;
    const FlagRecord* record = org->Find(stream.second);
    ASSERT_NE(record, nullptr) << stream.first << "/" << stream.second;
    EXPECT_EQ(record->version, version);
  }
  for (const auto& stream : deleted) {
    if (versions.count(stream)) continue;  // created again
    const OrgState* org = batched->FindOrganization(stream.first);
    EXPECT_TRUE(org == nullptr || org->Find(stream.second) == nullptr) << stream.second;
  }
}

TEST(ProjectionBuilder, RecordsCarryVersionAndRenderedJson) {
  Timestamp t = Time("2026-01-01T00:00:00Z");
  ProjectionBuilder builder;
  auto record = builder.Apply(Numbered(CreatedEvent("org-a", "x", true, t), 1, 7));
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->version, 7u);
  EXPECT_EQ(record->json,
            R"({"flag_key":"x","enabled":true,"organization_id":"org-a","rollout_condition":null,)"
            R"("created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"})");
}

}  // namespace
}  // namespace flagledger

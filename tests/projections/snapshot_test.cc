#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "projections/projection_builder.h"
#include "projections/snapshot_codec.h"
#include "projections/snapshot_store.h"
#include "tests/testing/event_builders.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

std::shared_ptr<const ProjectionSnapshot> SampleProjection(std::uint64_t flags = 5) {
  ProjectionBuilder builder;
  std::uint64_t sequence = 0;
  for (std::uint64_t i = 0; i < flags; ++i) {
    Event event = CreatedEvent("org-" + std::to_string(i % 2), "k" + std::to_string(i), i % 3 == 0,
                               Time("2026-01-01T00:00:00.5Z"));
    if (i % 2 == 0) {
      event.flag->rollout_condition =
          RolloutCondition{Version("1.2.3-rc.1+b7"),
                           i % 4 == 0 ? std::optional(Time("2027-01-01T00:00:00Z")) : std::nullopt};
    }
    event.sequence = ++sequence;
    event.version = i + 1;
    builder.Apply(event);
  }
  return builder.Build();
}

TEST(SnapshotCodec, RoundTripsAProjection) {
  auto original = SampleProjection();
  auto decoded = DecodeSnapshot(EncodeSnapshot(*original));
  ASSERT_TRUE(decoded.ok()) << decoded.status().detail();
  std::string difference;
  EXPECT_TRUE(SameProjection(**decoded, *original, &difference)) << difference;
}

TEST(SnapshotCodec, RoundTripsAnEmptyProjection) {
  ProjectionSnapshot empty;
  auto decoded = DecodeSnapshot(EncodeSnapshot(empty));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ((*decoded)->FlagCount(), 0u);
}

TEST(SnapshotCodec, RejectsAnyFlippedByte) {
  std::string bytes = EncodeSnapshot(*SampleProjection());
  for (std::size_t i = 0; i < bytes.size(); i += 7) {
    std::string damaged = bytes;
    damaged[i] ^= 0x20;
    EXPECT_FALSE(DecodeSnapshot(damaged).ok()) << "byte " << i;
  }
}

TEST(SnapshotCodec, RejectsTruncationAndForeignFiles) {
  std::string bytes = EncodeSnapshot(*SampleProjection());
  EXPECT_FALSE(DecodeSnapshot(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(DecodeSnapshot("").ok());
  auto foreign = DecodeSnapshot("definitely not a snapshot, but long enough to be read");
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.status().detail(), "snapshot rejected: not a flagledger snapshot");
}

TEST(SnapshotCodec, SameProjectionNamesTheFirstDifference) {
  auto a = SampleProjection(5);
  auto b = SampleProjection(6);
  std::string difference;
  EXPECT_FALSE(SameProjection(*a, *b, &difference));
  EXPECT_EQ(difference, "sequence 5 vs 6");
}

TEST(SnapshotStore, WritesKeepsTheNewestTwoAndLoadsTheNewest) {
  TempDir dir;
  SnapshotStore store(dir.path());
  for (std::uint64_t flags : {2, 4, 6}) ASSERT_TRUE(store.Write(*SampleProjection(flags)).ok());
  auto entries = store.List();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].sequence, 6u);
  EXPECT_EQ(entries[1].sequence, 4u);
  std::vector<std::string> rejected;
  auto newest = store.LoadNewest(100, [&](const std::string& why) { rejected.push_back(why); });
  ASSERT_NE(newest, nullptr);
  EXPECT_EQ(newest->sequence, 6u);
  EXPECT_TRUE(rejected.empty());
}

TEST(SnapshotStore, PassesOverDamagedOrTooNewSnapshots) {
  TempDir dir;
  SnapshotStore store(dir.path());
  ASSERT_TRUE(store.Write(*SampleProjection(3)).ok());
  ASSERT_TRUE(store.Write(*SampleProjection(5)).ok());
  std::vector<std::string> rejected;
  auto loaded = store.LoadNewest(4, [&](const std::string& why) { rejected.push_back(why); });
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->sequence, 3u);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_NE(rejected[0].find("past the end of the log"), std::string::npos);

  {  // Damage the older one too: nothing is trusted, the caller replays everything.
    std::fstream file(store.List()[1].path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(30);
    file.put('\x7f');
  }
  rejected.clear();
  EXPECT_EQ(store.LoadNewest(4, [&](const std::string& why) { rejected.push_back(why); }), nullptr);
  ASSERT_EQ(rejected.size(), 2u);
  EXPECT_NE(rejected[1].find("checksum mismatch"), std::string::npos) << rejected[1];
}

TEST(SnapshotStore, AMissingDirectoryHasNoSnapshots) {
  TempDir dir;
  SnapshotStore store(dir.Sub("nowhere"));
  EXPECT_TRUE(store.List().empty());
  EXPECT_EQ(store.LoadNewest(10, [](const std::string&) {}), nullptr);
}

}  // namespace
}  // namespace flagledger

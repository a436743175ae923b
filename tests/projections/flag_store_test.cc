#include "projections/flag_store.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "events/event_codec.h"
#include "projections/snapshot_codec.h"
#include "tests/testing/event_builders.h"
#include "tests/testing/store_fixture.h"

namespace flagledger {
namespace {

class FlagStoreTest : public StoreFixture {
 protected:
  WriteOutcome Write(const std::string& key, decltype(Command::action) action,
                     const std::string& org = "org-a") {
    return Run(Command{org, key, std::move(action)}, CommandContext{"tester", "req"});
  }

  std::vector<Event> LoggedEvents() {
    std::vector<Event> events;
    EventDecoder decoder;
    EXPECT_TRUE(log_->Scan(EventRange{},
                           [&](std::uint64_t, std::string_view json) {
                             events.push_back(decoder.Decode(json).value());
                             return true;
                           })
                    .ok());
    return events;
  }
};

TEST_F(FlagStoreTest, RefusesWritesBeforeStart) {
  FlagStore idle(*log_, clock_);
  EXPECT_FALSE(idle.ready());
  std::optional<WriteOutcome> answer;
  idle.Submit(Command{"org-a", "x", CreateFlag{}}, {},
              [&](WriteOutcome o) { answer = std::move(o); });
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(log_->last_sequence(), 0u);
}

TEST_F(FlagStoreTest, AppendsThenPublishes) {
  WriteOutcome created = Write("x", CreateFlag{true, std::nullopt});
  ASSERT_TRUE(created.status.ok());
  ASSERT_NE(created.record, nullptr);
  EXPECT_EQ(created.record->version, 1u);
  auto snapshot = store_->snapshot();
  EXPECT_EQ(snapshot->sequence, 1u);
  EXPECT_EQ(snapshot->FindOrganization("org-a")->Find("x")->json, created.record->json);
  auto events = LoggedEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actor, "tester");
}

TEST_F(FlagStoreTest, ANoOpWriteAppendsNothing) {
  ASSERT_TRUE(Write("x", CreateFlag{true, std::nullopt}).status.ok());
  clock_.AdvanceMicros(5'000'000);
  WriteOutcome same = Write("x", UpdateFlag{true, std::nullopt});
  ASSERT_TRUE(same.status.ok());
  EXPECT_EQ(same.record->version, 1u);
  EXPECT_EQ(log_->last_sequence(), 1u);
}

TEST_F(FlagStoreTest, RejectedCommandsAppendNothing) {
  EXPECT_EQ(Write("x", UpdateFlag{true, std::nullopt}).status.code(), ErrorCode::kFlagNotFound);
  EXPECT_EQ(Write("x", DeleteFlag{}).status.code(), ErrorCode::kFlagNotFound);
  ASSERT_TRUE(Write("x", CreateFlag{}).status.ok());
  EXPECT_EQ(Write("x", CreateFlag{}).status.code(), ErrorCode::kFlagExists);
  EXPECT_EQ(log_->last_sequence(), 1u);
}

TEST_F(FlagStoreTest, RecreatedKeyContinuesItsVersionCount) {
  ASSERT_TRUE(Write("x", CreateFlag{}).status.ok());
  ASSERT_TRUE(Write("x", DeleteFlag{}).status.ok());
  EXPECT_EQ(store_->snapshot()->FindOrganization("org-a"), nullptr);
  WriteOutcome again = Write("x", CreateFlag{true, std::nullopt});
  ASSERT_TRUE(again.status.ok());
  EXPECT_EQ(again.record->version, 3u);
}

TEST_F(FlagStoreTest, RecordedAtNeverDecreasesWhenTheClockGoesBack) {
  ASSERT_TRUE(Write("x", CreateFlag{}).status.ok());
  clock_.AdvanceMicros(-3'600'000'000LL);
  ASSERT_TRUE(Write("y", CreateFlag{}).status.ok());
  auto events = LoggedEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_LE(events[0].recorded_at, events[1].recorded_at);
}

TEST_F(FlagStoreTest, AClockBehindTheLogIsCountedAndReportedOncePerEpisode) {
  std::vector<std::string> reports;
  store_options_.on_problem = [&](std::string_view what, const Status& status) {
    reports.push_back(std::string(what) + ": " + status.detail());
  };
  Open();
  ASSERT_TRUE(Write("x", CreateFlag{}).status.ok());
  EXPECT_EQ(store_->clock_behind_batches(), 0u);
  clock_.AdvanceMicros(-60'000'000);
  ASSERT_TRUE(Write("y", CreateFlag{}).status.ok());
  ASSERT_TRUE(Write("z", CreateFlag{}).status.ok());
  EXPECT_EQ(store_->clock_behind_batches(), 2u);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_NE(reports[0].find("wall clock behind the newest event"), std::string::npos);
  clock_.AdvanceMicros(120'000'000);  // caught up
  ASSERT_TRUE(Write("w", CreateFlag{}).status.ok());
  clock_.AdvanceMicros(-600'000'000);  // a second episode
  ASSERT_TRUE(Write("v", CreateFlag{}).status.ok());
  EXPECT_EQ(store_->clock_behind_batches(), 3u);
  EXPECT_EQ(reports.size(), 2u);
}

TEST_F(FlagStoreTest, ConcurrentWritersAllLandWithoutGaps) {
  constexpr int kThreads = 8, kPerThread = 25;
  std::vector<std::thread> writers;
  std::atomic<int> acknowledged{0};
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (Write(key, CreateFlag{}, "org-" + std::to_string(t % 3)).status.ok()) ++acknowledged;
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(acknowledged.load(), kThreads * kPerThread);
  EXPECT_EQ(log_->last_sequence(), std::uint64_t{kThreads * kPerThread});
  EXPECT_EQ(store_->snapshot()->FlagCount(), std::size_t{kThreads * kPerThread});
  std::uint64_t expected = 0;
  for (const Event& event : LoggedEvents()) EXPECT_EQ(event.sequence, ++expected);
}

TEST_F(FlagStoreTest, ConcurrentCreatesOfOneKeyLetExactlyOneWin) {
  std::vector<std::future<WriteOutcome>> answers;
  for (int i = 0; i < 16; ++i) {
    answers.push_back(
        std::async(std::launch::async, [this] { return Write("same", CreateFlag{}); }));
  }
  int created = 0, exists = 0;
  for (auto& answer : answers) {
    WriteOutcome outcome = answer.get();
    if (outcome.status.ok())
      ++created;
    else if (outcome.status.code() == ErrorCode::kFlagExists)
      ++exists;
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(exists, 15);
  EXPECT_EQ(log_->last_sequence(), 1u);
}

TEST_F(FlagStoreTest, RestartRebuildsTheSameState) {
  ASSERT_TRUE(
      Write("a", CreateFlag{true, RolloutCondition{Version("1.2.3"), std::nullopt}}).status.ok());
  ASSERT_TRUE(Write("b", CreateFlag{}).status.ok());
  ASSERT_TRUE(
      Write("b", PatchRollout{std::nullopt, std::optional<Timestamp>(Time("2027-01-01T00:00:00Z"))})
          .status.ok());
  ASSERT_TRUE(Write("c", CreateFlag{}, "org-b").status.ok());
  ASSERT_TRUE(Write("c", DeleteFlag{}, "org-b").status.ok());
  auto before = store_->snapshot();
  Open();
  auto after = store_->snapshot();
  ASSERT_EQ(after->FlagCount(), 2u);
  std::string difference;
  EXPECT_TRUE(SameProjection(*before, *after, &difference)) << difference;
}

TEST_F(FlagStoreTest, StartsFromTheNewestSnapshotPlusTheTail) {
  SnapshotStore snapshots(dir_.path());
  FlagStoreOptions options;
  options.snapshots = &snapshots;
  options.snapshot_every = 4;
  store_ = std::make_unique<FlagStore>(*log_, clock_, options);
  ASSERT_TRUE(store_->Start().ok());
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(Write("k" + std::to_string(i), CreateFlag{}).status.ok());
  ASSERT_TRUE(Write("k3", DeleteFlag{}).status.ok());
  auto expected = store_->snapshot();
  store_->Stop();  // waits for the snapshot in progress
  auto entries = snapshots.List();
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries[0].sequence, 8u);

  std::vector<std::string> problems;
  options.on_problem = [&](std::string_view what, const Status&) { problems.emplace_back(what); };
  store_ = std::make_unique<FlagStore>(*log_, clock_, options);
  ASSERT_TRUE(store_->Start().ok());
  std::string difference;
  EXPECT_TRUE(SameProjection(*store_->snapshot(), *expected, &difference)) << difference;
  EXPECT_TRUE(problems.empty());
}

TEST_F(FlagStoreTest, StopRefusesNewWrites) {
  store_->Stop();
  std::optional<WriteOutcome> answer;
  store_->Submit(Command{"org-a", "x", CreateFlag{}}, {},
                 [&](WriteOutcome o) { answer = std::move(o); });
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status.code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace flagledger

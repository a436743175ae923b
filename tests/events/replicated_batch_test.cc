// A follower's log: the leader's batches read whole (ReadBatches) and appended exactly as
// stored (AppendReplicated), or refused whole.
#include <gtest/gtest.h>

#include "events/event_log.h"
#include "events/log_keys.h"
#include "tests/testing/event_builders.h"
#include "tests/testing/raw_log.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

std::vector<std::string> StoredEvents(const EventLog& log) {
  std::vector<std::string> events;
  EXPECT_TRUE(log.Scan(EventRange{},
                       [&](std::uint64_t, std::string_view json) {
                         events.emplace_back(json);
                         return true;
                       })
                  .ok());
  return events;
}

class Replication : public ::testing::Test {
 protected:
  void SetUp() override {
    leader_ = EventLog::Open(leader_dir_.path(), EventLogOptions{}).value();
    follower_ = EventLog::Open(follower_dir_.path(), EventLogOptions{}).value();
    Timestamp at = Time("2026-01-01T00:00:00Z");
    // Four appends: one event; a restore-sized batch of three with an idempotency record; a
    // token event; a delete.
    std::vector<Event> first = {CreatedEvent("org-a", "x", true, at)};
    ASSERT_TRUE(leader_->Append(first).ok());
    std::vector<Event> second = {CreatedEvent("org-a", "y", true, at),
                                 CreatedEvent("org-b", "z", false, at),
                                 DeletedEvent("org-a", "x", at)};
    record_ = IdempotencyRecord{std::string("org-a\0key-1", 11), at, "POST /x", "{\"ok\":1}"};
    ASSERT_TRUE(leader_->Append(second, {record_}).ok());
    std::vector<Event> third = {SampleEventOf(EventType::kTokenCreated, "org-a", "tok-1", at)};
    ASSERT_TRUE(leader_->Append(third).ok());
    std::vector<Event> fourth = {DeletedEvent("org-b", "z", at)};
    ASSERT_TRUE(leader_->Append(fourth).ok());
  }

  // Follows the leader to its end, `max_events` at a time; returns the batches applied.
  std::size_t Follow(std::size_t max_events) {
    std::size_t applied = 0;
    for (;;) {
      auto batches = leader_->ReadBatches(follower_->last_sequence(), max_events);
      EXPECT_TRUE(batches.ok()) << batches.status().detail();
      if (!batches.ok() || batches->empty()) return applied;
      for (const ReplicatedBatch& batch : *batches) {
        Status appended = follower_->AppendReplicated(batch);
        EXPECT_TRUE(appended.ok()) << appended.detail();
        if (!appended.ok()) return applied;
        ++applied;
      }
    }
  }

  TempDir leader_dir_, follower_dir_;
  std::unique_ptr<EventLog> leader_, follower_;
  IdempotencyRecord record_;
};

TEST_F(Replication, BatchesAreReadWholeWithTheirRecords) {
  auto batches = leader_->ReadBatches(0, 1);
  ASSERT_TRUE(batches.ok());
  ASSERT_EQ(batches->size(), 1u) << "at least max_events, in whole batches";
  EXPECT_EQ((*batches)[0].first, 1u);
  EXPECT_EQ((*batches)[0].last, 1u);
  batches = leader_->ReadBatches(1, 2);
  ASSERT_TRUE(batches.ok());
  ASSERT_EQ(batches->size(), 1u);
  EXPECT_EQ((*batches)[0].first, 2u);
  EXPECT_EQ((*batches)[0].last, 4u);
  EXPECT_EQ((*batches)[0].events.size(), 3u);
  EXPECT_EQ((*batches)[0].records, std::vector<IdempotencyRecord>{record_});
  batches = leader_->ReadBatches(0, 100);
  ASSERT_TRUE(batches.ok());
  EXPECT_EQ(batches->size(), 4u);
  EXPECT_TRUE(leader_->ReadBatches(6, 100)->empty()) << "the end of the log";
  EXPECT_EQ(leader_->ReadBatches(2, 100).status().code(), ErrorCode::kInvalidQuery)
      << "event 3 is inside a batch";
}

TEST_F(Replication, AFollowerHoldsTheLeadersBytesIndexesAndRecords) {
  EXPECT_EQ(Follow(1), 4u);
  EXPECT_EQ(StoredEvents(*follower_), StoredEvents(*leader_));
  EXPECT_EQ(follower_->Head().value(), leader_->Head().value());
  auto record = follower_->FindIdempotencyRecord(record_.scope_key);
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ(**record, record_);
  EXPECT_EQ(follower_->LiveFlagsAt("org-a", 6)->live, leader_->LiveFlagsAt("org-a", 6)->live);
  EXPECT_EQ(follower_->ReadBatches(0, 100).value(), leader_->ReadBatches(0, 100).value())
      << "a follower can be followed";
  std::vector<std::string> problems;
  EXPECT_EQ(follower_->CheckIntegrity([&](const std::string& p) { problems.push_back(p); }).value(),
            6u);
  EXPECT_TRUE(problems.empty()) << problems.front();
  // Appends go on from the replicated head after a reopen.
  follower_.reset();
  follower_ = EventLog::Open(follower_dir_.path(), EventLogOptions{}).value();
  std::vector<Event> more = {CreatedEvent("org-a", "w", true, Time("2026-01-01T00:00:01Z"))};
  ASSERT_TRUE(leader_->Append(more).ok());
  EXPECT_EQ(Follow(100), 1u);
  EXPECT_EQ(StoredEvents(*follower_), StoredEvents(*leader_));
}

TEST_F(Replication, VerifyFindsABatchIndexThatDoesNotPartitionTheLog) {
  leader_.reset();
  RawLog(leader_dir_.path()).Delete("batches", internal::SequenceKey(2));
  leader_ = EventLog::Open(leader_dir_.path(), EventLogOptions{}).value();
  std::vector<std::string> problems;
  ASSERT_TRUE(leader_->CheckIntegrity([&](const std::string& p) { problems.push_back(p); }).ok());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("batches entry at event 5 does not match the log"), std::string::npos)
      << problems[0];
}

TEST_F(Replication, ABatchThatDoesNotFollowIsRefusedWhole) {
  auto batches = leader_->ReadBatches(0, 100).value();
  EXPECT_EQ(follower_->AppendReplicated(batches[1]).code(), ErrorCode::kInternal) << "a gap";
  EXPECT_EQ(follower_->last_sequence(), 0u);
  ASSERT_TRUE(follower_->AppendReplicated(batches[0]).ok());

  ReplicatedBatch altered = batches[1];
  std::size_t at = altered.events[1].find("\"enabled\":false");
  ASSERT_NE(at, std::string::npos);
  altered.events[1].replace(at, 15, "\"enabled\":true");
  EXPECT_EQ(follower_->AppendReplicated(altered).code(), ErrorCode::kInternal)
      << "an event that does not match its hash";

  TempDir other_dir;
  auto other = EventLog::Open(other_dir.path(), EventLogOptions{}).value();
  std::vector<Event> own = {CreatedEvent("org-a", "x", true, Time("2026-01-01T00:00:00Z"))};
  own[0].actor = "someone else";
  ASSERT_TRUE(other->Append(own).ok());
  std::vector<Event> next = {CreatedEvent("org-a", "y", true, Time("2026-01-01T00:00:00Z"))};
  ASSERT_TRUE(other->Append(next).ok());
  EXPECT_EQ(follower_->AppendReplicated(other->ReadBatches(1, 1).value()[0]).code(),
            ErrorCode::kInternal)
      << "a batch of another log does not chain to this one";
  EXPECT_EQ(follower_->last_sequence(), 1u) << "nothing of a refused batch is appended";
  EXPECT_EQ(Follow(100), 3u);
  EXPECT_EQ(StoredEvents(*follower_), StoredEvents(*leader_));
}

}  // namespace
}  // namespace flagledger

namespace flagledger {
namespace {

// The newest batches are served from memory (events/recent_batches.h); what is read must be
// what the log holds, wherever it comes from.
TEST(RecentBatches, TheFeedReadsTheSameFromMemoryAsFromDisk) {
  TempDir dir;
  EventLogOptions small;
  small.recent_batch_bytes = 4000;  // a few batches: most reads miss and go to disk
  auto log = EventLog::Open(dir.path(), small).value();
  Timestamp at = Time("2026-01-01T00:00:00Z");
  std::vector<std::uint64_t> ends = {0};
  for (int i = 0; i < 120; ++i) {
    std::vector<Event> batch;
    for (int j = 0; j <= i % 3; ++j) {
      batch.push_back(
          CreatedEvent("org-a", "k" + std::to_string(i) + "-" + std::to_string(j), true, at));
    }
    std::vector<IdempotencyRecord> records;
    if (i % 4 == 0) {
      records.push_back(
          IdempotencyRecord{"org-a" + std::string(1, '\0') + std::to_string(i), at, "PUT", "{}"});
    }
    ASSERT_TRUE(log->Append(batch, records).ok());
    ends.push_back(log->last_sequence());
  }
  std::vector<std::vector<ReplicatedBatch>> read;
  for (std::uint64_t after : ends) {
    for (std::size_t max_events : {1, 7})
      read.push_back(log->ReadBatches(after, max_events).value());
  }
  log.reset();
  auto reopened = EventLog::Open(dir.path(), small).value();  // nothing held in memory
  std::size_t i = 0;
  for (std::uint64_t after : ends) {
    for (std::size_t max_events : {1, 7}) {
      EXPECT_EQ(reopened->ReadBatches(after, max_events).value(), read[i++])
          << "after " << after << ", " << max_events;
    }
  }
  EXPECT_TRUE(read.back().empty()) << "the end of the log";
}

}  // namespace
}  // namespace flagledger

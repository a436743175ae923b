// EventLogOptions::gate: the writer's own batches are written only once the gate admits them
// (a cluster's writer commits them to etcd there), exactly as a follower would receive them.
#include "events/batch_gate.h"

#include <gtest/gtest.h>

#include "events/event_log.h"
#include "tests/testing/event_builders.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

class RecordingGate : public BatchGate {
 public:
  Status Admit(const ReplicatedBatch& batch) override {
    admitted.push_back(batch);
    return open ? Status::Ok() : Status(ErrorCode::kUnavailable, "closed");
  }
  Status CheckWritable() override {
    ++checks;
    return open ? Status::Ok() : Status(ErrorCode::kUnavailable, "closed");
  }
  bool open = true;
  int checks = 0;
  std::vector<ReplicatedBatch> admitted;
};

class BatchGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EventLogOptions options;
    options.gate = &gate_;
    log_ = EventLog::Open(dir_.path(), options).value();
  }
  TempDir dir_;
  RecordingGate gate_;
  std::unique_ptr<EventLog> log_;
  const Timestamp at_ = Time("2026-01-01T00:00:00Z");
  const IdempotencyRecord record_{std::string("org-a\0k1", 8), Time("2026-01-01T00:00:00Z"),
                                  "PUT /x", "200"};
};

TEST_F(BatchGateTest, AnAdmittedBatchIsWrittenAsTheGateSawIt) {
  std::vector<Event> events = {CreatedEvent("org-a", "x", true, at_),
                               CreatedEvent("org-a", "y", false, at_)};
  ASSERT_TRUE(log_->Append(events, {record_}).ok());
  ASSERT_EQ(gate_.admitted.size(), 1u);
  auto stored = log_->ReadBatches(0, 10);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front(), gate_.admitted.front());  // the same bytes, records included
  EXPECT_EQ(gate_.admitted.front().first, 1u);
  EXPECT_EQ(gate_.admitted.front().last, 2u);
}

TEST_F(BatchGateTest, ARefusedBatchWritesNothingAndItsSequencesAreReused) {
  gate_.open = false;
  std::vector<Event> events = {CreatedEvent("org-a", "x", true, at_)};
  Status refused = log_->Append(events, {record_});
  EXPECT_EQ(refused.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(log_->last_sequence(), 0u);
  EXPECT_FALSE(log_->FindIdempotencyRecord(record_.scope_key).value().has_value());
  gate_.open = true;
  std::vector<Event> again = {CreatedEvent("org-a", "x", true, at_)};
  ASSERT_TRUE(log_->Append(again).ok());
  EXPECT_EQ(again.front().sequence, 1u);
  EXPECT_EQ(again.front().version, 1u);
}

TEST_F(BatchGateTest, StoredAnswersWithoutEventsNeedTheGateToo) {
  gate_.open = false;
  std::vector<Event> none;
  EXPECT_EQ(log_->Append(none, {record_}).code(), ErrorCode::kUnavailable);
  EXPECT_EQ(gate_.checks, 1);
  EXPECT_TRUE(gate_.admitted.empty());  // not a batch of the log
  EXPECT_FALSE(log_->FindIdempotencyRecord(record_.scope_key).value().has_value());
  gate_.open = true;
  ASSERT_TRUE(log_->Append(none, {record_}).ok());
  EXPECT_TRUE(log_->FindIdempotencyRecord(record_.scope_key).value().has_value());
}

TEST_F(BatchGateTest, AFollowersReplicatedBatchesPassNoGate) {
  TempDir leader_dir;
  auto leader = EventLog::Open(leader_dir.path(), EventLogOptions{}).value();
  std::vector<Event> events = {CreatedEvent("org-a", "x", true, at_)};
  ASSERT_TRUE(leader->Append(events).ok());
  ASSERT_TRUE(log_->AdoptLogId(leader->log_id()).ok());
  gate_.open = false;
  ASSERT_TRUE(log_->AppendReplicated(leader->ReadBatches(0, 10).value()).ok());
  EXPECT_EQ(log_->last_sequence(), 1u);
  EXPECT_TRUE(gate_.admitted.empty());
  EXPECT_EQ(gate_.checks, 0);
}

}  // namespace
}  // namespace flagledger

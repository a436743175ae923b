// The writer under storage faults, If-Match, and Idempotency-Key, in process with a real log.
#include <gtest/gtest.h>

#include <future>
#include <latch>

#include "events/event_codec.h"
#include "projections/flag_store.h"
#include "projections/point_in_time.h"
#include "tests/testing/event_builders.h"
#include "tests/testing/failing_file_system.h"
#include "tests/testing/manual_clock.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

class WritePath : public ::testing::Test {
 protected:
  void SetUp() override {
    EventLogOptions options;
    options.env = env_.get();
    options.recovery_interval = std::chrono::milliseconds(0);  // every write tries to recover
    log_ = EventLog::Open(dir_.path(), options).value();
    FlagStoreOptions store_options;
    store_options.on_problem = [this](std::string_view what, const Status& status) {
      problems_.emplace_back(what);
      details_.push_back(std::string(what) + ": " + status.detail());
    };
    store_ = std::make_unique<FlagStore>(*log_, clock_, store_options);
    ASSERT_TRUE(store_->Start().ok());
  }

  WriteOutcome Write(Command command) {
    std::promise<WriteOutcome> promise;
    store_->Submit(std::move(command), CommandContext{"tester", "req"},
                   [&](WriteOutcome outcome) { promise.set_value(std::move(outcome)); });
    return promise.get_future().get();
  }
  WriteOutcome Write(const std::string& key, decltype(Command::action) action) {
    return Write(Command{"org-a", key, std::move(action)});
  }
  Command Idempotent(const std::string& key, decltype(Command::action) action,
                     const std::string& idempotency_key, const std::string& request) {
    Command command{"org-a", key, std::move(action)};
    command.idempotency = IdempotencyRequest{
        std::string("org-a") + '\0' + idempotency_key, request, [](const WriteOutcome& outcome) {
          return outcome.status.ok()
                     ? "stored:" + (outcome.record ? outcome.record->json : "deleted")
                     : "stored-error:" + std::string(ErrorCodeName(outcome.status.code()));
        }};
    return command;
  }

  TempDir dir_;
  std::pair<std::shared_ptr<FailingFileSystem>, std::unique_ptr<rocksdb::Env>> faulty_ =
      FailingFileSystem::Make();
  std::shared_ptr<FailingFileSystem> fs_ = faulty_.first;
  std::unique_ptr<rocksdb::Env> env_ = std::move(faulty_.second);
  ManualClock clock_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<FlagStore> store_;
  std::vector<std::string> problems_;
  std::vector<std::string> details_;
};

TEST_F(WritePath, AFailedSyncAnswersUnavailableAndAppliesNothing) {
  ASSERT_TRUE(Write("before", CreateFlag{}).status.ok());
  auto snapshot_before = store_->snapshot();
  fs_->SetFailing(true);
  WriteOutcome failed = Write("during", CreateFlag{true, std::nullopt});
  EXPECT_EQ(failed.status.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(failed.record, nullptr);
  EXPECT_EQ(store_->snapshot(), snapshot_before) << "nothing was applied";
  EXPECT_EQ(log_->last_sequence(), 1u);
  EXPECT_EQ(Write("still-failing", CreateFlag{}).status.code(), ErrorCode::kUnavailable)
      << "writes are refused clearly while storage stays broken";
  EXPECT_FALSE(problems_.empty());
  EXPECT_EQ(problems_[0], "storage write failed");

  fs_->SetFailing(false);  // the disk recovers; so does the server, without a restart
  WriteOutcome after = Write("after", CreateFlag{});
  ASSERT_TRUE(after.status.ok()) << details_.back();
  EXPECT_EQ(log_->last_sequence(), 2u) << "the sequence continues without a gap";
  EXPECT_EQ(store_->snapshot()->FindOrganization("org-a")->Find("during"), nullptr);

  std::vector<std::string> mismatches;
  ASSERT_TRUE(log_->CheckIntegrity([&](const std::string& m) { mismatches.push_back(m); }).ok());
  EXPECT_TRUE(mismatches.empty()) << mismatches.front();
}

TEST_F(WritePath, ARestartAfterAFailedWriteHasNoTraceOfIt) {
  ASSERT_TRUE(Write("kept", CreateFlag{}).status.ok());
  fs_->SetFailing(true);
  EXPECT_EQ(Write("lost", CreateFlag{}).status.code(), ErrorCode::kUnavailable);
  fs_->SetFailing(false);
  ASSERT_TRUE(Write("next", CreateFlag{}).status.ok());
  store_.reset();
  log_.reset();
  log_ = EventLog::Open(dir_.path(), EventLogOptions{}).value();
  store_ = std::make_unique<FlagStore>(*log_, clock_);
  ASSERT_TRUE(store_->Start().ok());
  const OrgState* org = store_->snapshot()->FindOrganization("org-a");
  ASSERT_NE(org, nullptr);
  EXPECT_EQ(org->size(), 2u);
  EXPECT_EQ(org->Find("lost"), nullptr);
  EXPECT_EQ(log_->last_sequence(), 2u);
}

TEST_F(WritePath, ConcurrentWritesShareOneSync) {
  ASSERT_TRUE(Write("warm-up", CreateFlag{}).status.ok());
  fs_->SetSyncDelay(std::chrono::milliseconds(200));  // every write queues behind a slow sync
  WriterStats before = store_->stats();
  // The threads exist before any of them writes, so that a slow thread start (a loaded machine,
  // a sanitizer) does not spread the writes over more syncs.
  std::latch all_started(24);
  std::vector<std::future<WriteOutcome>> writes;
  for (int i = 0; i < 24; ++i) {
    writes.push_back(std::async(std::launch::async, [this, i, &all_started] {
      all_started.arrive_and_wait();
      return Write("k" + std::to_string(i), CreateFlag{});
    }));
  }
  for (auto& write : writes) EXPECT_TRUE(write.get().status.ok());
  fs_->SetSyncDelay(std::chrono::milliseconds(0));
  WriterStats after = store_->stats();
  EXPECT_EQ(after.events - before.events, 24u);
  EXPECT_LE(after.batches - before.batches, 3u) << "24 durable writes, at most 3 WAL syncs";
}

TEST_F(WritePath, IfMatchGuardsEveryChangingWrite) {
  ASSERT_TRUE(Write("x", CreateFlag{}).status.ok());
  Command stale{"org-a", "x", UpdateFlag{true, std::nullopt}, VersionPrecondition{false, {9}}};
  EXPECT_EQ(Write(stale).status.code(), ErrorCode::kPreconditionFailed);
  Command fresh{"org-a", "x", UpdateFlag{true, std::nullopt}, VersionPrecondition{false, {1}}};
  WriteOutcome updated = Write(fresh);
  ASSERT_TRUE(updated.status.ok());
  EXPECT_EQ(updated.record->version, 2u);
  Command delete_stale{"org-a", "x", DeleteFlag{}, VersionPrecondition{false, {1}}};
  EXPECT_EQ(Write(delete_stale).status.code(), ErrorCode::kPreconditionFailed);
  EXPECT_EQ(log_->last_sequence(), 2u);
}

TEST_F(WritePath, IfMatchSeesEarlierWritesOfTheSameBatch) {
  ASSERT_TRUE(Write("x", CreateFlag{}).status.ok());
  // Two conditional updates racing on version 1: exactly one wins, whatever the batching.
  std::vector<std::future<WriteOutcome>> racing;
  for (bool enabled : {true, false}) {
    racing.push_back(std::async(std::launch::async, [this, enabled] {
      return Write(Command{"org-a", "x",
                           UpdateFlag{enabled, RolloutCondition{Version("1.0.0"), std::nullopt}},
                           VersionPrecondition{false, {1}}});
    }));
  }
  int won = 0, lost = 0;
  for (auto& outcome : racing) {
    WriteOutcome result = outcome.get();
    if (result.status.ok()) ++won;
    if (!result.status.ok() && result.status.code() == ErrorCode::kPreconditionFailed) ++lost;
  }
  EXPECT_EQ(won, 1);
  EXPECT_EQ(lost, 1);
}

TEST_F(WritePath, ARetryReplaysTheFirstAnswerAndAppendsNothing) {
  WriteOutcome first = Write(Idempotent("x", CreateFlag{true, std::nullopt}, "key-1", "POST x"));
  ASSERT_TRUE(first.status.ok());
  EXPECT_FALSE(first.replayed_response);
  WriteOutcome retry = Write(Idempotent("x", CreateFlag{true, std::nullopt}, "key-1", "POST x"));
  ASSERT_TRUE(retry.replayed_response);
  EXPECT_EQ(*retry.replayed_response, "stored:" + first.record->json);
  EXPECT_EQ(log_->last_sequence(), 1u);
}

TEST_F(WritePath, AReusedKeyWithAnotherRequestIsRefused) {
  ASSERT_TRUE(Write(Idempotent("x", CreateFlag{}, "key-1", "POST x")).status.ok());
  WriteOutcome reused = Write(Idempotent("y", CreateFlag{}, "key-1", "POST y"));
  EXPECT_EQ(reused.status.code(), ErrorCode::kIdempotencyKeyReused);
  EXPECT_EQ(log_->last_sequence(), 1u);
}

TEST_F(WritePath, DecidedErrorsAreRememberedToo) {
  WriteOutcome missing = Write(Idempotent("ghost", DeleteFlag{}, "key-2", "DELETE ghost"));
  EXPECT_EQ(missing.status.code(), ErrorCode::kFlagNotFound);
  ASSERT_TRUE(Write("ghost", CreateFlag{}).status.ok());
  WriteOutcome retry = Write(Idempotent("ghost", DeleteFlag{}, "key-2", "DELETE ghost"));
  ASSERT_TRUE(retry.replayed_response);
  EXPECT_EQ(*retry.replayed_response, "stored-error:flag_not_found")
      << "the first answer, not a new one";
  EXPECT_EQ(log_->last_sequence(), 1u);
}

TEST_F(WritePath, ConcurrentRetriesAppendOnce) {
  std::vector<std::future<WriteOutcome>> retries;
  for (int i = 0; i < 12; ++i) {
    retries.push_back(std::async(std::launch::async, [this] {
      return Write(Idempotent("once", CreateFlag{}, "key-3", "POST once"));
    }));
  }
  int fresh = 0, replayed = 0;
  for (auto& retry : retries) {
    WriteOutcome outcome = retry.get();
    ASSERT_TRUE(outcome.status.ok()) << outcome.status.detail();
    (outcome.replayed_response ? replayed : fresh)++;
  }
  EXPECT_EQ(fresh, 1);
  EXPECT_EQ(replayed, 11);
  EXPECT_EQ(log_->last_sequence(), 1u);
}

TEST_F(WritePath, KeysExpireAfter24HoursWithoutAFullScan) {
  ASSERT_TRUE(Write(Idempotent("x", CreateFlag{}, "old-key", "POST x")).status.ok());
  clock_.AdvanceMicros(24LL * 3600 * 1'000'000 + 1);
  // Past its 24 hours the key is free again: the same key with another request is new.
  WriteOutcome reused = Write(Idempotent("y", CreateFlag{}, "old-key", "POST y"));
  ASSERT_TRUE(reused.status.ok());
  EXPECT_FALSE(reused.replayed_response);
  // The sweep that ran with that batch removed the expired record before it was replaced...
  clock_.AdvanceMicros(24LL * 3600 * 1'000'000 + 1);
  ASSERT_TRUE(Write("z", CreateFlag{}).status.ok());  // ...and this batch's sweep the newer one.
  EXPECT_FALSE(log_->FindIdempotencyRecord(std::string("org-a") + '\0' + "old-key")->has_value());
}

TEST_F(WritePath, TheSweepKeepsTheNewerRecordOfAReusedKey) {
  const std::int64_t kMinute = 60'000'000, kDay = 24 * 60 * kMinute;
  ASSERT_TRUE(Write(Idempotent("x", CreateFlag{}, "reused", "POST x")).status.ok());  // sweep #1
  clock_.AdvanceMicros(kDay - 30'000'000);
  ASSERT_TRUE(Write("other", CreateFlag{}).status.ok());  // sweep #2: nothing has expired yet
  clock_.AdvanceMicros(31'000'000);  // the first record expired, but no sweep is due yet
  WriteOutcome reused = Write(Idempotent("y", CreateFlag{}, "reused", "POST y"));
  ASSERT_TRUE(reused.status.ok());
  EXPECT_FALSE(reused.replayed_response);
  clock_.AdvanceMicros(kMinute);
  ASSERT_TRUE(Write("z", CreateFlag{}).status.ok());  // sweep #3 meets the old index entry...
  auto kept = log_->FindIdempotencyRecord(std::string("org-a") + '\0' + "reused");
  ASSERT_TRUE(kept.ok());
  ASSERT_TRUE(kept->has_value()) << "...and must leave the newer record under that key";
  EXPECT_EQ((*kept)->request, "POST y");
}

TEST_F(WritePath, RecordsSurviveARestart) {
  ASSERT_TRUE(Write(Idempotent("x", CreateFlag{}, "durable", "POST x")).status.ok());
  store_.reset();
  log_.reset();
  log_ = EventLog::Open(dir_.path(), EventLogOptions{}).value();
  store_ = std::make_unique<FlagStore>(*log_, clock_);
  ASSERT_TRUE(store_->Start().ok());
  WriteOutcome retry = Write(Idempotent("x", CreateFlag{}, "durable", "POST x"));
  EXPECT_TRUE(retry.replayed_response);
  EXPECT_EQ(log_->last_sequence(), 1u);
}

}  // namespace
}  // namespace flagledger

namespace flagledger {
namespace {

// Organization restores: every flag's revert in one batch, all of them or none.
class Restore : public WritePath {
 protected:
  Command RestoreTo(std::uint64_t sequence) {
    auto target = OrganizationAt(*log_, "org-a", sequence);
    EXPECT_TRUE(target.ok());
    return Command{"org-a", "",
                   RestoreOrganization{RevertPoint{sequence, std::nullopt}, "rst_test",
                                       std::move(target).value()}};
  }
  void Create(int flags) {
    for (int i = 0; i < flags; ++i) {
      ASSERT_TRUE(Write("k" + std::to_string(i), CreateFlag{}).status.ok());
    }
  }
  void ExpectStateAt(std::uint64_t sequence) {
    auto then = OrganizationAt(*log_, "org-a", sequence).value();
    const OrgState* now = store_->snapshot()->FindOrganization("org-a");
    ASSERT_NE(now, nullptr);
    ASSERT_EQ(now->size(), then.size());
    for (const auto& record : then) {
      const FlagRecord* current = now->Find(record->flag.flag_key);
      ASSERT_NE(current, nullptr) << record->flag.flag_key;
      EXPECT_EQ(current->flag.enabled, record->flag.enabled);
      EXPECT_EQ(current->flag.rollout_condition, record->flag.rollout_condition);
      EXPECT_EQ(current->flag.created_at, record->flag.created_at);
    }
  }
};

TEST_F(Restore, IsOneBatchOfRevertsSharingItsId) {
  Create(200);
  const std::uint64_t point = log_->last_sequence();
  for (int i = 0; i < 200; i += 2) {
    ASSERT_TRUE(Write("k" + std::to_string(i), UpdateFlag{true, std::nullopt}).status.ok());
  }
  ASSERT_TRUE(Write("k1", DeleteFlag{}).status.ok());
  ASSERT_TRUE(Write("new", CreateFlag{}).status.ok());
  const std::uint64_t before_restore = log_->last_sequence();
  WriterStats before = store_->stats();
  WriteOutcome restored = Write(RestoreTo(point));
  ASSERT_TRUE(restored.status.ok()) << restored.status.detail();
  WriterStats after = store_->stats();
  EXPECT_EQ(after.batches - before.batches, 1u);
  // 100 updates undone, k1 re-created, "new" deleted.
  EXPECT_EQ(after.events - before.events, 102u);
  ASSERT_EQ(restored.reverted.size(), 102u);
  EXPECT_EQ(restored.organization_sequence, before_restore);
  EventDecoder decoder;
  std::size_t seen = 0;
  ASSERT_TRUE(log_->Scan({before_restore, EventRange::kEnd, false},
                         [&](std::uint64_t sequence, std::string_view json) {
                           Event event = decoder.Decode(json).value();
                           EXPECT_EQ(event.type, EventType::kFlagReverted);
                           EXPECT_EQ(event.restore_id, "rst_test");
                           EXPECT_EQ(event.reverted_to, (RevertPoint{point, std::nullopt}));
                           EXPECT_EQ(sequence, restored.reverted[seen].sequence);
                           EXPECT_EQ(event.flag_key, restored.reverted[seen].flag_key);
                           ++seen;
                           return true;
                         })
                  .ok());
  EXPECT_EQ(seen, 102u);
  ExpectStateAt(point);

  WriteOutcome again = Write(RestoreTo(point));
  ASSERT_TRUE(again.status.ok());
  EXPECT_TRUE(again.reverted.empty());
  EXPECT_EQ(log_->last_sequence(), before_restore + 102) << "a restore to the state it is in";
}

TEST_F(Restore, InterruptedByAStorageFailureLeavesNoPartOfIt) {
  Create(50);
  const std::uint64_t point = log_->last_sequence();
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(Write("k" + std::to_string(i), UpdateFlag{true, std::nullopt}).status.ok());
  }
  const std::uint64_t before = log_->last_sequence();
  auto snapshot_before = store_->snapshot();
  fs_->SetFailing(true);
  WriteOutcome failed = Write(RestoreTo(point));
  EXPECT_EQ(failed.status.code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(failed.reverted.empty());
  EXPECT_EQ(store_->snapshot(), snapshot_before) << "nothing was applied";
  EXPECT_EQ(log_->last_sequence(), before);
  fs_->SetFailing(false);

  store_.reset();  // and nothing of it is on disk
  log_.reset();
  log_ = EventLog::Open(dir_.path(), EventLogOptions{}).value();
  store_ = std::make_unique<FlagStore>(*log_, clock_);
  ASSERT_TRUE(store_->Start().ok());
  EXPECT_EQ(log_->last_sequence(), before);
  for (const auto& record : store_->snapshot()->FindOrganization("org-a")->flags()) {
    EXPECT_TRUE(record->flag.enabled) << record->flag.flag_key;
  }

  WriteOutcome restored = Write(RestoreTo(point));
  ASSERT_TRUE(restored.status.ok());
  EXPECT_EQ(restored.reverted.size(), 50u);
  ExpectStateAt(point);
}

TEST_F(Restore, IfMatchNamesTheOrganizationsNewestEvent) {
  ASSERT_TRUE(Write("x", CreateFlag{}).status.ok());
  ASSERT_TRUE(Write("y", CreateFlag{}).status.ok());
  Command stale = RestoreTo(1);
  stale.if_match = VersionPrecondition{false, {1}};
  EXPECT_EQ(Write(stale).status.code(), ErrorCode::kPreconditionFailed);
  EXPECT_EQ(log_->last_sequence(), 2u);
  Command fresh = RestoreTo(1);
  fresh.if_match = VersionPrecondition{false, {2}};
  WriteOutcome restored = Write(fresh);
  ASSERT_TRUE(restored.status.ok()) << restored.status.detail();
  ASSERT_EQ(restored.reverted.size(), 1u);
  EXPECT_EQ(restored.reverted[0].flag_key, "y");
  EXPECT_EQ(restored.reverted[0].after, nullptr);
  EXPECT_EQ(restored.reverted[0].sequence, 3u);
}

}  // namespace
}  // namespace flagledger

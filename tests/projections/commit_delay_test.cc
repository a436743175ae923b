// The group commit delay (FlagStoreOptions::commit_delay): a batch waits for as many commands
// as the previous one held, a lone writer is never held, and Stop() does not wait it out.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "projections/flag_store.h"
#include "tests/testing/store_fixture.h"

namespace flagledger {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

class CommitDelayTest : public StoreFixture {
 protected:
  void Reopen(std::chrono::microseconds commit_delay) {
    store_.reset();
    FlagStoreOptions options;
    options.commit_delay = commit_delay;
    store_ = std::make_unique<FlagStore>(*log_, clock_, options);
    ASSERT_TRUE(store_->Start().ok());
  }

  // Commands three at a time until a burst lands in one batch (the writer may take the first
  // of a burst alone), so the previous batch held three. Returns the commands written.
  std::uint64_t SubmitABatchOfThree() {
    std::uint64_t written = 0;
    for (bool one_batch = false; !one_batch;) {
      std::uint64_t batches_before = store_->stats().batches;
      std::vector<std::future<WriteOutcome>> burst;
      for (int i = 0; i < 3; ++i) burst.push_back(Create("a" + std::to_string(written++)));
      for (auto& answer : burst) EXPECT_TRUE(answer.get().status.ok());
      one_batch = store_->stats().batches == batches_before + 1;
    }
    return written;
  }

  std::future<WriteOutcome> Create(const std::string& key) {
    return Submit(Command{"org-a", key, CreateFlag{}}, CommandContext{"tester", "req"});
  }
};

TEST_F(CommitDelayTest, ALoneWriterIsNeverHeld) {
  Reopen(hours(1));
  for (int i = 0; i < 5; ++i) {
    auto answer = Create("k" + std::to_string(i));
    // Held by the delay, it would wait an hour.
    ASSERT_EQ(answer.wait_for(std::chrono::seconds(60)), std::future_status::ready);
    EXPECT_TRUE(answer.get().status.ok());
  }
  EXPECT_EQ(store_->stats().batches, 5u);
}

// Long enough that a held command is plainly held, short enough that a burst the writer splits
// (a lone last command waits for company) does not stall SubmitABatchOfThree for long.
constexpr auto kHoldDelay = std::chrono::seconds(2);

TEST_F(CommitDelayTest, ABatchWaitsForAsManyCommandsAsThePreviousOne) {
  Reopen(kHoldDelay);
  SubmitABatchOfThree();
  std::uint64_t batches_before = store_->stats().batches;
  std::vector<std::future<WriteOutcome>> answers;
  for (int i = 0; i < 2; ++i) {
    answers.push_back(Create("b" + std::to_string(i)));
    std::this_thread::sleep_for(milliseconds(50));
    EXPECT_EQ(answers.back().wait_for(std::chrono::seconds(0)), std::future_status::timeout)
        << "command " << i << " was not held";
  }
  answers.push_back(Create("b2"));  // the third: the batch goes
  for (auto& answer : answers) {
    ASSERT_EQ(answer.wait_for(std::chrono::seconds(60)), std::future_status::ready);
    EXPECT_TRUE(answer.get().status.ok());
  }
  EXPECT_EQ(store_->stats().batches, batches_before + 1);
}

TEST_F(CommitDelayTest, ConcurrentWritersAllLandWithoutGaps) {
  Reopen(milliseconds(200));
  constexpr int kWriters = 8, kPerWriter = 10;
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        if (Create("w" + std::to_string(w) + "-" + std::to_string(i)).get().status.ok())
          ++acknowledged;
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(acknowledged.load(), kWriters * kPerWriter);
  EXPECT_EQ(log_->last_sequence(), std::uint64_t{kWriters * kPerWriter});
  EXPECT_EQ(store_->snapshot()->FlagCount(), std::size_t{kWriters * kPerWriter});
}

TEST_F(CommitDelayTest, StopAnswersAHeldCommandAtOnce) {
  Reopen(kHoldDelay);
  std::uint64_t written = SubmitABatchOfThree();

  // Alone, this one is held for the second command its batch now expects.
  auto held = Create("held");
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(held.wait_for(std::chrono::seconds(0)), std::future_status::timeout);

  // Waiting the delay out would take Stop() past the second.
  auto stopped = std::async(std::launch::async, [this] { store_->Stop(); });
  ASSERT_EQ(stopped.wait_for(std::chrono::seconds(1)), std::future_status::ready);
  ASSERT_EQ(held.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  EXPECT_TRUE(held.get().status.ok());
  EXPECT_EQ(log_->last_sequence(), written + 1);
}

}  // namespace
}  // namespace flagledger

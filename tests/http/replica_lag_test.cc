#include "http/replica_lag.h"

#include <gtest/gtest.h>

namespace flagledger {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const ReplicaLag::Clock::time_point kStart{};
Timestamp LeaderAt(int second) {
  return Timestamp::FromMicros(1'800'000'000'000'000 + second * 1'000'000LL);
}

TEST(ReplicaLag, ACaughtUpFollowerHasNone) {
  ReplicaLag lag;
  lag.Heard(10, 10, LeaderAt(99), LeaderAt(100), kStart);
  EXPECT_EQ(lag.Seconds(kStart + seconds(30)), 0);
}

TEST(ReplicaLag, AFollowerBackFromAnHourAwayIsAnHourBehindAtItsFirstBatch) {
  ReplicaLag lag;
  // It applied event 500 (made at -10); the leader wrote 501 an hour before its heartbeat.
  lag.Heard(90'000, 500, LeaderAt(-10), LeaderAt(3600), kStart);
  // Before the first batch arrives, its own last event bounds the lag: not "0 s behind".
  EXPECT_NEAR(lag.Seconds(kStart), 3610, 1e-6);
  lag.Received(501, 500, LeaderAt(0));
  EXPECT_NEAR(lag.Seconds(kStart + milliseconds(10)), 3600.01, 1e-6);
  // Catching up: the next unapplied batch is newer.
  lag.Received(1'525, 500, LeaderAt(3000));
  lag.Applied(1'524);
  EXPECT_NEAR(lag.Seconds(kStart + seconds(1)), 601, 1e-6);
  lag.Applied(90'000);
  EXPECT_EQ(lag.Seconds(kStart + seconds(2)), 0);
}

TEST(ReplicaLag, AQuietLeadersNewWriteIsNotOldLag) {
  ReplicaLag lag;
  lag.Heard(7, 7, LeaderAt(-1), LeaderAt(0), kStart);
  // An hour of quiet, then one write: the follower lacks an event made a moment ago. A
  // heartbeat that names it before its batch arrives is no hour of lag either.
  lag.Heard(8, 7, LeaderAt(-1), LeaderAt(3600), kStart + seconds(3600));
  EXPECT_EQ(lag.Seconds(kStart + seconds(3600)), 0);
  lag.Received(8, 7, LeaderAt(3600));
  EXPECT_NEAR(lag.Seconds(kStart + seconds(3600) + milliseconds(5)), 0.005, 1e-6);
}

TEST(ReplicaLag, WithoutTheLeadersClockItIsHowLongTheFollowerHasBeenBehind) {
  ReplicaLag lag;
  lag.Heard(10, 5, LeaderAt(0), std::nullopt, kStart);
  lag.Heard(12, 5, LeaderAt(0), std::nullopt, kStart + seconds(1));
  EXPECT_NEAR(lag.Seconds(kStart + seconds(2)), 2, 1e-6);
  // A lost connection forgets what was received and not applied: it comes again.
  lag.Received(6, 5, LeaderAt(0));
  lag.Disconnected();
  EXPECT_NEAR(lag.Seconds(kStart + seconds(3)), 3, 1e-6);
}

}  // namespace
}  // namespace flagledger

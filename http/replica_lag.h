// How far behind its leader a follower is, in time: the age, on the leader's clock, of the
// oldest event the follower lacks. A follower that restarts after the leader wrote for an hour
// is an hour behind from its first frame, not "behind for 0 s" (docs/api.md, "Read replicas").
// Not thread-safe: ReplicaFollower guards it.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

#include "core/timestamp.h"

namespace flagledger {

class ReplicaLag {
 public:
  using Clock = std::chrono::steady_clock;

  // The leader's head, heard at `now`; `leader_time` is the leader's clock when the frame
  // carries it (a heartbeat). `applied` is the follower's last event, recorded by the leader
  // at `applied_at`.
  void Heard(std::uint64_t leader_head, std::uint64_t applied, Timestamp applied_at,
             std::optional<Timestamp> leader_time, Clock::time_point now);
  // A batch starting at event `first`, which the leader recorded at `recorded_at`, arrived.
  void Received(std::uint64_t first, std::uint64_t applied, Timestamp recorded_at);
  // The follower applied up to `applied`.
  void Applied(std::uint64_t applied);
  // The connection was lost: batches received and not applied will come again.
  void Disconnected() {
    unapplied_.clear();
    caught_up_ = false;
  }

  // 0 while applied >= the leader's head. Otherwise the leader's clock now (from its last
  // heartbeat and the time since) minus the recorded_at of the oldest unapplied batch. Until
  // that batch has arrived: on a connection that has not caught up yet (a follower back from
  // downtime), the age of the follower's own last event, which bounds the lag from above; once
  // caught up (a heartbeat ahead of its batch), how long the follower has been behind.
  double Seconds(Clock::time_point now) const;
  std::uint64_t leader_head() const { return leader_head_; }

 private:
  std::uint64_t leader_head_ = 0;
  std::uint64_t applied_ = 0;
  Timestamp applied_at_;
  bool caught_up_ = false;  // applied reached the leader's head since the connection began
  std::optional<Clock::time_point> behind_since_;
  std::optional<std::pair<Timestamp, Clock::time_point>> leader_clock_;
  std::deque<std::pair<std::uint64_t, Timestamp>> unapplied_;  // first event, recorded_at
};

}  // namespace flagledger

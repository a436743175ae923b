#include "http/replica_lag.h"

#include <algorithm>

namespace flagledger {

void ReplicaLag::Heard(std::uint64_t leader_head, std::uint64_t applied,
                       std::optional<Timestamp> leader_time, Clock::time_point now) {
  leader_head_ = std::max(leader_head_, leader_head);
  applied_ = applied;
  if (leader_time) leader_clock_.emplace(*leader_time, now);
  if (applied_ < leader_head_ && !behind_since_) behind_since_ = now;
}

void ReplicaLag::Received(std::uint64_t first, std::uint64_t applied, Timestamp recorded_at) {
  applied_ = applied;
  if (first > applied_) unapplied_.emplace_back(first, recorded_at);
}

void ReplicaLag::Applied(std::uint64_t applied) {
  applied_ = applied;
  while (!unapplied_.empty() && unapplied_.front().first <= applied_) unapplied_.pop_front();
  if (applied_ >= leader_head_) behind_since_.reset();
}

double ReplicaLag::Seconds(Clock::time_point now) const {
  if (applied_ >= leader_head_) return 0;
  if (!unapplied_.empty() && leader_clock_) {
    // No comparison of two machines' clocks: both times are the leader's.
    auto [leader_time, heard_at] = *leader_clock_;
    double leader_now = static_cast<double>(leader_time.micros()) / 1e6 +
                        std::chrono::duration<double>(now - heard_at).count();
    double oldest = static_cast<double>(unapplied_.front().second.micros()) / 1e6;
    return std::max(0.0, leader_now - oldest);
  }
  return behind_since_ ? std::chrono::duration<double>(now - *behind_since_).count() : 0.0;
}

}  // namespace flagledger

#include "http/replica_lag.h"

#include <algorithm>

namespace flagledger {

void ReplicaLag::Heard(std::uint64_t leader_head, std::uint64_t applied, Timestamp applied_at,
                       std::optional<Timestamp> leader_time, Clock::time_point now) {
  leader_head_ = std::max(leader_head_, leader_head);
  applied_ = applied;
  applied_at_ = applied_at;
  if (applied_ >= leader_head_) caught_up_ = true;
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
  if (applied_ >= leader_head_) {
    behind_since_.reset();
    caught_up_ = true;
  }
}

double ReplicaLag::Seconds(Clock::time_point now) const {
  if (applied_ >= leader_head_) return 0;
  if (leader_clock_ && (!unapplied_.empty() || !caught_up_)) {
    // No comparison of two machines' clocks: both times are the leader's.
    auto [leader_time, heard_at] = *leader_clock_;
    double leader_now = static_cast<double>(leader_time.micros()) / 1e6 +
                        std::chrono::duration<double>(now - heard_at).count();
    Timestamp oldest = unapplied_.empty() ? applied_at_ : unapplied_.front().second;
    return std::max(0.0, leader_now - static_cast<double>(oldest.micros()) / 1e6);
  }
  return behind_since_ ? std::chrono::duration<double>(now - *behind_since_).count() : 0.0;
}

}  // namespace flagledger

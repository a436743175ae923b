// A fixed-bucket histogram that many threads update without locks (Prometheus style:
// cumulative counts per upper bound, a sum and a count).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

namespace flagledger {

class Histogram {
 public:
  static constexpr std::size_t kMaxBuckets = 16;

  // `upper_bounds`: increasing, at most kMaxBuckets; +Inf is implicit.
  explicit Histogram(std::span<const double> upper_bounds) : bounds_(upper_bounds) {}

  void Observe(double value) {
    std::size_t bucket = 0;
    while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
    counts_[bucket].fetch_add(1, std::memory_order_relaxed);
    // The sum in millionths keeps it an integer; enough for seconds and counts alike.
    sum_micros_.fetch_add(static_cast<std::uint64_t>(value * 1e6), std::memory_order_relaxed);
  }

  std::span<const double> upper_bounds() const { return bounds_; }
  // Observations in bucket `i` alone (i == upper_bounds().size() is +Inf), not cumulative.
  std::uint64_t count_in(std::size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  double sum() const {
    return static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6;
  }

 private:
  std::span<const double> bounds_;
  std::array<std::atomic<std::uint64_t>, kMaxBuckets + 1> counts_{};
  std::atomic<std::uint64_t> sum_micros_{0};
};

}  // namespace flagledger

// A clock that moves only when a test says so, so that time-dependent tests never sleep.
#pragma once

#include <atomic>

#include "core/clock.h"

namespace flagledger {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(
      Timestamp start = Timestamp::FromMicros(1'767'225'600'000'000))  // 2026-01-01
      : now_(start.micros()) {}
  Timestamp Now() const override { return Timestamp::FromMicros(now_.load()); }
  void Set(Timestamp time) { now_.store(time.micros()); }
  void AdvanceMicros(std::int64_t micros) { now_.fetch_add(micros); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace flagledger

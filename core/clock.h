// The source of "now", a seam so that tests control time.
#pragma once

#include "core/timestamp.h"

namespace flagledger {

// Thread-safe implementations only.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// The system's real-time clock.
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

}  // namespace flagledger

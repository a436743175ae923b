// One group-commit batch of the log as a follower receives it from its leader.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/idempotency_record.h"

namespace flagledger {

// The events one Append wrote (sequences first..last, their stored JSON exactly as the leader
// stores it: a follower keeps the same bytes and so the same hash chain) and the idempotency
// records written with them that are still stored.
struct ReplicatedBatch {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::vector<std::string> events;
  std::vector<IdempotencyRecord> records;

  bool operator==(const ReplicatedBatch&) const = default;
};

}  // namespace flagledger

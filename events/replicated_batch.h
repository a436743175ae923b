// One group-commit batch of the log as a follower receives it from its leader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
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

// The batch as one value (the cluster's log in etcd holds one per key): "FLB1", u64 first,
// u64 last, u32 event count, (u32 length, stored JSON)*, u32 record count,
// (u32 length, scope key, u32 length, EncodeIdempotencyRecord)*; integers big-endian.
std::string EncodeReplicatedBatch(const ReplicatedBatch& batch);
// kInternal when `value` is not such an encoding, or its events do not number first..last.
Result<ReplicatedBatch> DecodeReplicatedBatch(std::string_view value);

}  // namespace flagledger

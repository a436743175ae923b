// The batches the log appended last, kept in memory as stored, so that the replication feeds
// (EventLog::ReadBatches) of followers that keep up read nothing back from RocksDB: with four
// feeds, reading every batch back four times took 12% of a busy leader's CPU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "core/thread_annotations.h"
#include "events/replicated_batch.h"

namespace flagledger {

// Thread-safe. Holds consecutive batches only, the newest within `max_bytes` (of event JSON).
class RecentBatches {
 public:
  explicit RecentBatches(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // Adds the batch the log just wrote. One that does not follow the newest held starts over.
  void Add(std::shared_ptr<const ReplicatedBatch> batch) EXCLUDES(mutex_);
  // The held batches from the one that starts at `after` + 1 on, until they hold at least
  // `max_events` events (at least one batch), appended to `out`; false (and `out` unchanged)
  // when no held batch starts there.
  bool CopyFrom(std::uint64_t after, std::size_t max_events,
                std::vector<ReplicatedBatch>& out) const EXCLUDES(mutex_);
  void Clear() EXCLUDES(mutex_);

 private:
  const std::size_t max_bytes_;
  mutable Mutex mutex_;
  std::deque<std::shared_ptr<const ReplicatedBatch>> batches_ GUARDED_BY(mutex_);
  std::size_t bytes_ GUARDED_BY(mutex_) = 0;
};

}  // namespace flagledger

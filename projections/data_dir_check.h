// What `flagledger verify` checks in a data directory (also run on every new backup and every
// restore): the log and its indexes, the snapshots against a replay, and the projection the
// server would start from against a fresh replay.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"
#include "events/event_log.h"
#include "projections/snapshot_store.h"

namespace flagledger {

struct DataDirCheck {
  std::uint64_t events = 0;  // checked against the indexes
  std::size_t snapshots = 0;
  std::size_t snapshots_equal = 0;  // equal to the replay up to their sequence
  // The projection of the whole log (when it could be replayed).
  std::uint64_t sequence = 0;
  std::size_t flags = 0;
  std::size_t organizations = 0;
  std::size_t problems = 0;
  bool ok() const { return problems == 0; }
};

// Runs every check, telling `problem` of each mismatch as it is found. Fails only when the
// log cannot be read at all.
Result<DataDirCheck> CheckDataDir(const EventLog& log, const SnapshotStore& snapshots,
                                  const std::function<void(const std::string&)>& problem);

}  // namespace flagledger

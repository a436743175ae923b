// Projection snapshots on disk, in DATA_DIR/snapshots, so that start-up replays only the tail.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "projections/projection_snapshot.h"

namespace flagledger {

// Thread-compatible: one writer at a time; reads may run beside it (files appear atomically).
class SnapshotStore {
 public:
  struct Entry {
    std::uint64_t sequence = 0;
    std::string path;
  };

  explicit SnapshotStore(std::string data_dir);

  // Writes `snapshot` atomically (temporary file, fsync, rename, fsync of the directory) and
  // then removes all but the newest `keep` snapshots. kUnavailable on an I/O error.
  Status Write(const ProjectionSnapshot& snapshot, std::size_t keep = 2);

  // The snapshot files, newest first.
  std::vector<Entry> List() const;
  // The newest snapshot file that does not lie past `max_sequence` (unread), if any.
  std::optional<Entry> NewestWithin(std::uint64_t max_sequence) const;
  // Reads and checks one file (see DecodeSnapshot).
  Result<std::shared_ptr<const ProjectionSnapshot>> Read(const Entry& entry) const;

  // The newest snapshot that reads back intact and does not lie past `max_sequence`, or
  // nullptr. Each one passed over is reported to `rejected` with the reason, never trusted.
  std::shared_ptr<const ProjectionSnapshot> LoadNewest(
      std::uint64_t max_sequence, const std::function<void(const std::string&)>& rejected) const;

 private:
  std::string directory_;
};

}  // namespace flagledger

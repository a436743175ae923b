// Verified backups of a data directory: the event log (RocksDB BackupEngine, incremental) and
// the newest projection snapshot, each backup checked as `flagledger verify` checks a data
// directory before it counts; restores checked the same way before they replace anything.
//
// A backup directory holds RocksDB's meta/, private/ and shared_checksum/, plus
// snapshots/<id>/ (the snapshot taken with backup <id>) and flagledger/<id>.json (what the
// verification found: {"backup_id":..,"sequence":..,"events":..,"snapshot":"file or empty"}).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "events/event_log.h"
#include "projections/snapshot_store.h"

namespace flagledger {

struct BackupSummary {
  std::uint32_t backup_id = 0;
  std::uint64_t sequence = 0;  // the newest event it holds
  std::uint64_t events = 0;
  std::int64_t created_at_seconds = 0;
  std::uint64_t bytes = 0;      // its files, shared ones included
  std::uint64_t new_bytes = 0;  // copied by this backup (known when it was just made)
  std::string snapshot;         // the snapshot file kept with it; empty when none
  bool verified = false;        // checked after it was written (see above)
};

// Backs up the data directory of `log` (in use) into `backup_dir`, then restores it into a
// scratch directory there and checks it. A backup that fails the check is deleted and the
// failure returned (kInternal).
Result<BackupSummary> CreateVerifiedBackup(const EventLog& log, const SnapshotStore& snapshots,
                                           const std::string& backup_dir);

// The backups in `backup_dir`, oldest first.
Result<std::vector<BackupSummary>> ListBackups(const std::string& backup_dir);

// Restores backup `backup_id` (0: the newest verified one) into `data_dir`, which must be
// absent or empty unless `replace` (then it is replaced whole, only once the restored copy
// has passed the check). Checks the backup's files against their checksums first: a damaged
// backup is refused with the reason (kInternal), and so is a restored copy that fails the
// data directory check. REQUIRES: no server uses `data_dir`.
Result<BackupSummary> RestoreBackup(const std::string& backup_dir, std::uint32_t backup_id,
                                    const std::string& data_dir, bool replace);

// {"backup_id":..,"sequence":..,...} as the API and `flagledger backup` print it.
std::string BackupSummaryJson(const BackupSummary& summary);

}  // namespace flagledger

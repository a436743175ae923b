// Online backups of the event log with RocksDB's BackupEngine: table files already in the
// backup directory are shared, not copied again, so each backup after the first copies only
// what is new (incremental).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace flagledger {

struct LogBackupInfo {
  std::uint32_t backup_id = 0;
  std::int64_t created_at_seconds = 0;  // Unix time
  std::uint64_t bytes = 0;              // the backup's files, shared ones included
  std::uint32_t files = 0;
  std::string metadata;  // what EventLog::CreateBackup was given
  // Set by EventLog::CreateBackup: the bytes it copied, the files shared with earlier
  // backups not counted.
  std::uint64_t new_bytes = 0;
};

// The backups in `backup_dir`, oldest first (empty when it holds none).
Result<std::vector<LogBackupInfo>> ListLogBackups(const std::string& backup_dir);

// Checks that backup `backup_id`'s files are all there with the sizes and checksums recorded
// when it was made: kInternal naming the first damaged file otherwise.
Status VerifyLogBackup(const std::string& backup_dir, std::uint32_t backup_id);

// Restores backup `backup_id` as DATA_DIR/log. REQUIRES: DATA_DIR/log does not exist.
Status RestoreLogBackup(const std::string& backup_dir, std::uint32_t backup_id,
                        const std::string& data_dir);

Status DeleteLogBackup(const std::string& backup_dir, std::uint32_t backup_id);

}  // namespace flagledger

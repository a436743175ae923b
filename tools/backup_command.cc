// `flagledger backup` and `flagledger restore`: verified, incremental backups of a data
// directory (projections/backup.h), taken through a running server or directly.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "projections/backup.h"
#include "tools/command_options.h"
#include "tools/offline_commands.h"
#include "tools/token_spool.h"

namespace flagledger {
namespace {

constexpr char kBackupHelp[] = R"(Usage: flagledger backup --data-dir DIR --to BACKUP_DIR
       flagledger backup --list --to BACKUP_DIR

Backs up the data directory DIR into BACKUP_DIR, also while a server runs on DIR (the server
takes the backup; writes go on meanwhile). Table files already in BACKUP_DIR are shared, not
copied again, so later backups copy only what is new. Every backup is restored into a scratch
directory and checked as `flagledger verify` checks a data directory before it is kept.
Prints the backup as JSON: its id, the sequence of the newest event it holds, its size and
the bytes this backup copied. --list prints every backup in BACKUP_DIR, oldest first.
Exits 0 on success, 1 on failure.
)";

constexpr char kRestoreHelp[] =
    R"(Usage: flagledger restore --from BACKUP_DIR --data-dir DIR [--backup-id N] [--force]

Restores a backup (default: the newest verified one) into DIR. Refuses a DIR that is not
empty unless --force, and a DIR a server runs on always. The backup's files are checked
against their checksums first, and the restored copy as `flagledger verify` checks a data
directory, before it takes DIR's place: a damaged backup is refused with the reason and
changes nothing. Exits 0 on success, 1 on failure.
)";

// A backup taken here: no server runs on `data_dir`.
Result<std::string> BackUpDirectly(const std::string& data_dir, const std::string& backup_dir) {
  auto log = EventLog::Open(data_dir, EventLogOptions{});
  if (!log.ok()) return log.status();
  auto backup = CreateVerifiedBackup(**log, SnapshotStore(data_dir), backup_dir);
  if (!backup.ok()) return backup.status();
  return BackupSummaryJson(*backup);
}

int ListBackupsIn(const std::string& backup_dir) {
  auto backups = ListBackups(backup_dir);
  if (!backups.ok()) {
    std::fprintf(stderr, "flagledger backup: %s\n", backups.status().detail().c_str());
    return 1;
  }
  for (const BackupSummary& backup : *backups)
    std::printf("%s\n", BackupSummaryJson(backup).c_str());
  return 0;
}

}  // namespace

int RunBackup(const std::vector<std::string>& args) {
  auto options = ParseCommandOptions(args, {"data-dir", "to"}, {"list"});
  if (!options.ok()) {
    std::fprintf(stderr, "flagledger backup: %s\n", options.status().detail().c_str());
    return 2;
  }
  if (options->has("help")) {
    std::fputs(kBackupHelp, stdout);
    return 0;
  }
  if (!options->has("to") || (!options->has("list") && !options->has("data-dir"))) {
    std::fprintf(stderr, "flagledger backup: --to and --data-dir (or --list) are required\n");
    return 2;
  }
  const std::string& backup_dir = options->get("to");
  if (options->has("list")) return ListBackupsIn(backup_dir);
  const std::string& data_dir = options->get("data-dir");
  Result<std::string> backup =
      LogLockedByAnotherProcess(data_dir)
          ? SendBackupThroughSpool(data_dir, backup_dir, std::chrono::minutes(30))
          : BackUpDirectly(data_dir, backup_dir);
  if (!backup.ok()) {
    std::fprintf(stderr, "flagledger backup: %s\n", backup.status().detail().c_str());
    return 1;
  }
  std::printf("%s\n", backup->c_str());
  return 0;
}

int RunRestore(const std::vector<std::string>& args) {
  auto options = ParseCommandOptions(args, {"from", "data-dir", "backup-id"}, {"force"});
  if (!options.ok()) {
    std::fprintf(stderr, "flagledger restore: %s\n", options.status().detail().c_str());
    return 2;
  }
  if (options->has("help")) {
    std::fputs(kRestoreHelp, stdout);
    return 0;
  }
  if (!options->has("from") || !options->has("data-dir")) {
    std::fprintf(stderr, "flagledger restore: --from and --data-dir are required\n");
    return 2;
  }
  std::uint32_t backup_id = 0;
  if (options->has("backup-id")) {
    char* end = nullptr;
    const std::string& text = options->get("backup-id");
    unsigned long value = std::strtoul(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || value == 0 || value > 0xffffffffUL) {
      std::fprintf(stderr, "flagledger restore: --backup-id must be a backup's id (1, 2, ...)\n");
      return 2;
    }
    backup_id = static_cast<std::uint32_t>(value);
  }
  const std::string& data_dir = options->get("data-dir");
  if (LogLockedByAnotherProcess(data_dir)) {
    std::fprintf(stderr, "flagledger restore: a server runs on %s; stop it first\n",
                 data_dir.c_str());
    return 1;
  }
  auto restored = RestoreBackup(options->get("from"), backup_id, data_dir, options->has("force"));
  if (!restored.ok()) {
    std::fprintf(stderr, "flagledger restore: %s\n", restored.status().detail().c_str());
    return 1;
  }
  std::printf("%s\n", BackupSummaryJson(*restored).c_str());
  return 0;
}

}  // namespace flagledger

#include "projections/backup.h"

#include <simdjson.h>
#include <sys/stat.h>

#include <filesystem>
#include <optional>

#include "core/json_writer.h"
#include "projections/data_dir_check.h"
#include "projections/file_io.h"

namespace flagledger {
namespace fs = std::filesystem;
namespace {

std::string SidecarPath(const std::string& backup_dir, std::uint32_t backup_id) {
  return backup_dir + "/flagledger/" + std::to_string(backup_id) + ".json";
}

std::string SnapshotDir(const std::string& backup_dir, std::uint32_t backup_id) {
  return backup_dir + "/snapshots/" + std::to_string(backup_id);
}

Status FileError(std::string_view what, const std::error_code& error) {
  return Status(ErrorCode::kUnavailable, std::string(what) + ": " + error.message());
}

// Fills `summary`'s verified members from its sidecar file, if there is one.
void ReadSidecar(const std::string& backup_dir, BackupSummary& summary) {
  auto text = ReadWholeFile(SidecarPath(backup_dir, summary.backup_id));
  if (!text) return;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(*text).get(root)) return;
  std::uint64_t sequence = 0, events = 0;
  std::string_view snapshot;
  if (root["sequence"].get(sequence) || root["events"].get(events) ||
      root["snapshot"].get(snapshot)) {
    return;
  }
  summary.sequence = sequence;
  summary.events = events;
  summary.snapshot = std::string(snapshot);
  summary.verified = true;
}

BackupSummary FromLogBackup(const LogBackupInfo& info) {
  BackupSummary summary;
  summary.backup_id = info.backup_id;
  summary.created_at_seconds = info.created_at_seconds;
  summary.bytes = info.bytes;
  summary.new_bytes = info.new_bytes;
  return summary;
}

// Restores backup `backup_id` with its snapshot into `target` (which must not exist) and
// checks it; on any failure `target` is removed. Returns the check's findings.
Result<DataDirCheck> RestoreAndCheck(const std::string& backup_dir, std::uint32_t backup_id,
                                     const std::string& target) {
  auto fail = [&](Status status) -> Result<DataDirCheck> {
    std::error_code ignored;
    fs::remove_all(target, ignored);
    return status;
  };
  std::error_code error;
  fs::create_directories(target, error);
  if (error) return fail(FileError("cannot create " + target, error));
  ::chmod(target.c_str(), 0700);
  Status restored = RestoreLogBackup(backup_dir, backup_id, target);
  if (!restored.ok()) return fail(restored);
  std::string snapshots = SnapshotDir(backup_dir, backup_id);
  if (fs::exists(snapshots)) {
    fs::copy(snapshots, target + "/snapshots", fs::copy_options::recursive, error);
    if (error) return fail(FileError("cannot copy the backup's snapshot", error));
  }
  std::string problems;
  Result<DataDirCheck> check = Status(ErrorCode::kInternal, "unchecked");
  {
    auto log = EventLog::Open(target, EventLogOptions{});
    if (!log.ok()) return fail(log.status());
    check = CheckDataDir(**log, SnapshotStore(target), [&](const std::string& problem) {
      if (problems.size() < 2000) problems += (problems.empty() ? "" : "; ") + problem;
    });
  }
  if (!check.ok()) return fail(check.status());
  if (!check->ok()) {
    return fail(Status(ErrorCode::kInternal,
                       "backup " + std::to_string(backup_id) + " fails the check (" +
                           std::to_string(check->problems) + " problems): " + problems));
  }
  return check;
}

}  // namespace

std::string BackupSummaryJson(const BackupSummary& summary) {
  std::string out = "{\"backup_id\":";
  AppendJsonUint(out, summary.backup_id);
  out += ",\"sequence\":";
  AppendJsonUint(out, summary.sequence);
  out += ",\"events\":";
  AppendJsonUint(out, summary.events);
  out += ",\"created_at\":";
  AppendJsonString(out,
                   Timestamp::FromMicros(summary.created_at_seconds * 1'000'000).ToSecondsString());
  out += ",\"bytes\":";
  AppendJsonUint(out, summary.bytes);
  out += ",\"new_bytes\":";
  AppendJsonUint(out, summary.new_bytes);
  out += ",\"snapshot\":";
  AppendJsonString(out, summary.snapshot);
  out += ",\"verified\":";
  AppendJsonBool(out, summary.verified);
  out += '}';
  return out;
}

Result<BackupSummary> CreateVerifiedBackup(const EventLog& log, const SnapshotStore& snapshots,
                                           const std::string& backup_dir) {
  // The newest snapshot, listed before the backup starts: it lies within what the backup holds.
  std::optional<SnapshotStore::Entry> snapshot = snapshots.NewestWithin(log.last_sequence());
  auto created = log.CreateBackup(backup_dir, "flagledger event log");
  if (!created.ok()) return created.status();
  BackupSummary summary = FromLogBackup(*created);
  auto discard = [&](Status status) -> Result<BackupSummary> {
    (void)DeleteLogBackup(backup_dir, summary.backup_id);  // best effort: it failed anyway
    std::error_code ignored;
    fs::remove_all(SnapshotDir(backup_dir, summary.backup_id), ignored);
    return status;
  };
  if (snapshot) {
    std::error_code error;
    std::string dir = SnapshotDir(backup_dir, summary.backup_id);
    fs::create_directories(dir, error);
    if (!error) {
      fs::copy_file(snapshot->path, dir + "/" + fs::path(snapshot->path).filename().string(),
                    fs::copy_options::overwrite_existing, error);
    }
    // The snapshot writer may have replaced it meanwhile: then the backup goes without one.
    if (!error) summary.snapshot = fs::path(snapshot->path).filename().string();
  }
  std::string scratch = backup_dir + "/.verify-" + std::to_string(summary.backup_id);
  std::error_code ignored;
  fs::remove_all(scratch, ignored);
  auto check = RestoreAndCheck(backup_dir, summary.backup_id, scratch);
  fs::remove_all(scratch, ignored);
  if (!check.ok()) return discard(check.status());
  summary.sequence = check->sequence;
  summary.events = check->events;
  summary.verified = true;
  std::error_code error;
  fs::create_directories(backup_dir + "/flagledger", error);
  Status recorded =
      ReplaceFileDurably(SidecarPath(backup_dir, summary.backup_id), BackupSummaryJson(summary));
  if (!recorded.ok()) return discard(recorded);
  return summary;
}

Result<std::vector<BackupSummary>> ListBackups(const std::string& backup_dir) {
  auto infos = ListLogBackups(backup_dir);
  if (!infos.ok()) return infos.status();
  std::vector<BackupSummary> backups;
  for (const LogBackupInfo& info : *infos) {
    BackupSummary summary = FromLogBackup(info);
    summary.new_bytes = 0;
    ReadSidecar(backup_dir, summary);
    backups.push_back(std::move(summary));
  }
  return backups;
}

Result<BackupSummary> RestoreBackup(const std::string& backup_dir, std::uint32_t backup_id,
                                    const std::string& data_dir, bool replace) {
  auto backups = ListBackups(backup_dir);
  if (!backups.ok()) return backups.status();
  const BackupSummary* chosen = nullptr;
  for (const BackupSummary& backup : *backups) {
    if (backup_id == 0 ? backup.verified : backup.backup_id == backup_id) chosen = &backup;
  }
  if (!chosen) {
    return Status(ErrorCode::kValidationFailed,
                  backup_id == 0 ? "no verified backup in " + backup_dir
                                 : "no backup " + std::to_string(backup_id) + " in " + backup_dir);
  }
  std::error_code error;
  bool occupied = fs::exists(data_dir) && !fs::is_empty(data_dir, error);
  if (occupied && !replace) {
    return Status(ErrorCode::kValidationFailed,
                  data_dir +
                      " is not empty; restore into an empty directory, or replace it "
                      "(--force)");
  }
  Status intact = VerifyLogBackup(backup_dir, chosen->backup_id);
  if (!intact.ok()) return intact;
  std::string staging = data_dir + ".restoring";
  fs::remove_all(staging, error);
  auto check = RestoreAndCheck(backup_dir, chosen->backup_id, staging);
  if (!check.ok()) return check.status();
  if (occupied) fs::remove_all(data_dir, error);
  if (!error && fs::exists(data_dir)) fs::remove(data_dir, error);  // an empty one
  if (!error) fs::rename(staging, data_dir, error);
  if (error) return FileError("cannot move the restored copy to " + data_dir, error);
  BackupSummary restored = *chosen;
  restored.sequence = check->sequence;
  restored.events = check->events;
  return restored;
}

}  // namespace flagledger

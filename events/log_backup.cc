// EventLog::CreateBackup and the backup directory's other operations, over RocksDB's
// BackupEngine. Backups are taken without a flush: the live WAL is copied with the tables, so
// a backup never waits for (or adds) a flush under a write load.
#include "events/log_backup.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/utilities/backup_engine.h>

#include <filesystem>
#include <memory>
#include <set>

#include "events/event_log.h"
#include "events/log_status.h"

namespace flagledger {

using namespace internal;

namespace {

rocksdb::BackupEngineOptions EngineOptions(const std::string& backup_dir) {
  rocksdb::BackupEngineOptions options(backup_dir);
  options.share_table_files = true;
  options.share_files_with_checksum = true;
  options.sync = true;
  return options;
}

Status BackupError(std::string_view what, const rocksdb::Status& status) {
  if (status.IsCorruption()) {
    return Status(ErrorCode::kInternal, std::string(what) + ": " + status.ToString());
  }
  return StorageError(what, status);
}

Result<std::unique_ptr<rocksdb::BackupEngineReadOnly>> OpenReadOnly(const std::string& backup_dir) {
  if (!std::filesystem::exists(backup_dir + "/meta")) {
    return Status(ErrorCode::kValidationFailed, "no backups in " + backup_dir);
  }
  rocksdb::BackupEngineReadOnly* engine = nullptr;
  rocksdb::IOStatus status = rocksdb::BackupEngineReadOnly::Open(
      rocksdb::Env::Default(), EngineOptions(backup_dir), &engine);
  if (!status.ok()) return BackupError("cannot open the backups in " + backup_dir, status);
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>(engine);
}

}  // namespace

Result<LogBackupInfo> EventLog::CreateBackup(const std::string& backup_dir,
                                             const std::string& metadata) const {
  if (options_.secondary) return Status(ErrorCode::kInternal, "a secondary log cannot back up");
  std::error_code ignored;
  std::filesystem::create_directories(backup_dir, ignored);
  rocksdb::BackupEngine* raw_engine = nullptr;
  rocksdb::IOStatus status =
      rocksdb::BackupEngine::Open(EngineOptions(backup_dir), rocksdb::Env::Default(), &raw_engine);
  if (!status.ok()) return BackupError("cannot open the backups in " + backup_dir, status);
  std::unique_ptr<rocksdb::BackupEngine> engine(raw_engine);
  rocksdb::CreateBackupOptions create;
  create.flush_before_backup = false;
  create.decrease_background_thread_cpu_priority = true;  // the writer and readers come first
  create.background_thread_cpu_priority = rocksdb::CpuPriority::kLow;
  rocksdb::BackupID backup_id = 0;
  {
    ReaderMutexLock shared(db_mutex_);
    if (!db_) return LogClosed();
    status = engine->CreateNewBackupWithMetadata(create, db_.get(), metadata, &backup_id);
  }
  if (!status.ok()) return BackupError("cannot back up the event log", status);
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos, /*include_file_details=*/true);
  // The files this backup added: those no other backup lists (shared files are named by
  // content, so an unchanged table file is listed by both).
  std::set<std::string> earlier_files;
  const rocksdb::BackupInfo* created = nullptr;
  for (const rocksdb::BackupInfo& info : infos) {
    if (info.backup_id == backup_id) {
      created = &info;
      continue;
    }
    for (const rocksdb::BackupFileInfo& file : info.file_details) {
      earlier_files.insert(file.relative_filename);
    }
  }
  if (!created) return Status(ErrorCode::kInternal, "the new backup is not listed");
  LogBackupInfo backup{created->backup_id, created->timestamp, created->size, created->number_files,
                       created->app_metadata};
  for (const rocksdb::BackupFileInfo& file : created->file_details) {
    if (!earlier_files.contains(file.relative_filename)) backup.new_bytes += file.size;
  }
  return backup;
}

Result<std::vector<LogBackupInfo>> ListLogBackups(const std::string& backup_dir) {
  auto engine = OpenReadOnly(backup_dir);
  if (!engine.ok()) {
    if (engine.status().code() == ErrorCode::kValidationFailed) return std::vector<LogBackupInfo>();
    return engine.status();
  }
  std::vector<rocksdb::BackupInfo> infos;
  (*engine)->GetBackupInfo(&infos);
  std::vector<LogBackupInfo> backups;
  backups.reserve(infos.size());
  for (const rocksdb::BackupInfo& info : infos) {
    backups.push_back(
        {info.backup_id, info.timestamp, info.size, info.number_files, info.app_metadata});
  }
  return backups;
}

Status VerifyLogBackup(const std::string& backup_dir, std::uint32_t backup_id) {
  auto engine = OpenReadOnly(backup_dir);
  if (!engine.ok()) return engine.status();
  rocksdb::IOStatus status = (*engine)->VerifyBackup(backup_id, /*verify_with_checksum=*/true);
  if (status.ok()) return Status::Ok();
  return Status(ErrorCode::kInternal,
                "backup " + std::to_string(backup_id) + " is damaged: " + status.ToString());
}

Status RestoreLogBackup(const std::string& backup_dir, std::uint32_t backup_id,
                        const std::string& data_dir) {
  auto engine = OpenReadOnly(backup_dir);
  if (!engine.ok()) return engine.status();
  std::string log_dir = data_dir + "/log";
  rocksdb::IOStatus status =
      (*engine)->RestoreDBFromBackup(rocksdb::RestoreOptions(), backup_id, log_dir, log_dir);
  if (!status.ok())
    return BackupError("cannot restore backup " + std::to_string(backup_id), status);
  return Status::Ok();
}

Status DeleteLogBackup(const std::string& backup_dir, std::uint32_t backup_id) {
  rocksdb::BackupEngine* raw_engine = nullptr;
  rocksdb::IOStatus status =
      rocksdb::BackupEngine::Open(EngineOptions(backup_dir), rocksdb::Env::Default(), &raw_engine);
  if (!status.ok()) return BackupError("cannot open the backups in " + backup_dir, status);
  std::unique_ptr<rocksdb::BackupEngine> engine(raw_engine);
  status = engine->DeleteBackup(backup_id);
  if (!status.ok()) return BackupError("cannot delete backup " + std::to_string(backup_id), status);
  return Status::Ok();
}

}  // namespace flagledger

// EventLog::CreateCheckpoint, over RocksDB's Checkpoint: an openable copy of the log whose
// table files are hard links (on the same file system), so it costs little more than the
// write-ahead log it copies.
#include <rocksdb/db.h>
#include <rocksdb/utilities/checkpoint.h>

#include <memory>

#include "events/event_log.h"
#include "events/log_status.h"

namespace flagledger {

using namespace internal;

Status EventLog::CreateCheckpoint(const std::string& checkpoint_dir) const {
  if (options_.secondary) {
    return Status(ErrorCode::kInternal, "a secondary log cannot make a checkpoint");
  }
  // Up to this much write-ahead log is copied as it is; past it the memtables are flushed
  // first, so that the copy stays small and the follower's open does not replay it (a 64 MiB
  // WAL took a follower 1.5 s to replay at open).
  constexpr std::uint64_t kFlushPastLogBytes = std::uint64_t{4} << 20;
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status status = rocksdb::Checkpoint::Create(db_.get(), &raw);
  if (!status.ok()) return StorageError("cannot make a checkpoint of the event log", status);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  status = checkpoint->CreateCheckpoint(checkpoint_dir, kFlushPastLogBytes);
  if (!status.ok()) return StorageError("cannot make a checkpoint of the event log", status);
  return Status::Ok();
}

}  // namespace flagledger

// The log's error values, shared by its translation units (event_log*.cc).
#pragma once

#include <rocksdb/status.h>

#include <string>
#include <string_view>

#include "core/status.h"
#include "events/storage_health.h"

namespace flagledger {
namespace internal {

// A RocksDB failure: kUnavailable, as the contract answers storage trouble (503).
inline Status StorageError(std::string_view what, const rocksdb::Status& status) {
  return Status(ErrorCode::kUnavailable, std::string(what) + ": " + status.ToString());
}

// The database is closed while a failed write is being recovered from.
inline Status LogClosed() {
  return Status(ErrorCode::kUnavailable,
                "storage is unavailable: the log is closed after a failed write");
}

// The kind of a failed RocksDB operation. RocksDB reports most file system errors as IOError
// carrying strerror's text, so the kind is read from that text where no subcode tells it.
inline StorageErrorKind ClassifyStorageError(const rocksdb::Status& status) {
  std::string text = status.ToString();
  if (status.IsCorruption()) return StorageErrorKind::kCorruption;
  if (status.IsNoSpace() || text.find("No space left") != std::string::npos)
    return StorageErrorKind::kNoSpace;
  if (text.find("Read-only file system") != std::string::npos) return StorageErrorKind::kReadOnly;
  if (status.IsIOError()) return StorageErrorKind::kIo;
  return StorageErrorKind::kOther;
}

// Whether a failure to open the log writable is the file system refusing writes (full,
// read-only, failing), so that the log may still be served read-only; not a lock held by
// another server, nor damage.
inline bool IsStorageFault(const Status& status) {
  const std::string& text = status.detail();
  return status.code() == ErrorCode::kUnavailable &&
         (text.find("No space left") != std::string::npos ||
          text.find("Read-only file system") != std::string::npos ||
          text.find("Input/output error") != std::string::npos);
}

}  // namespace internal
}  // namespace flagledger

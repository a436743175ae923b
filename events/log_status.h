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
  auto says = [&](const char* phrase) { return text.find(phrase) != std::string::npos; };
  if (status.IsCorruption()) return StorageErrorKind::kCorruption;
  if (status.IsNoSpace() || says("No space left") || says("Disk quota exceeded"))
    return StorageErrorKind::kNoSpace;
  if (says("Read-only file system")) return StorageErrorKind::kReadOnly;
  if (says("Input/output error")) return StorageErrorKind::kIo;
  return StorageErrorKind::kOther;
}

// Whether a failure of that kind is the file system refusing writes (full, read-only,
// failing), so that the log may still be served read-only; not a lock held by another
// server (kOther), nor damage.
inline bool IsStorageFault(StorageErrorKind kind) {
  return kind == StorageErrorKind::kNoSpace || kind == StorageErrorKind::kReadOnly ||
         kind == StorageErrorKind::kIo;
}

}  // namespace internal
}  // namespace flagledger

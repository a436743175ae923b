// The log's error values, shared by its translation units (event_log*.cc).
#pragma once

#include <rocksdb/status.h>

#include <string>
#include <string_view>

#include "core/status.h"

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

}  // namespace internal
}  // namespace flagledger

// What the event log tells an operator about its storage: writable or not, why, and how often
// storage has failed, by kind.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace flagledger {

// Kinds of storage failure, as counted in flagledger_storage_errors_total{kind}.
#define FLAGLEDGER_STORAGE_ERROR_KINDS(X)                                 \
  X(kNoSpace, "no_space")      /* the file system is full (ENOSPC) */     \
  X(kReadOnly, "read_only")    /* the file system is read-only (EROFS) */ \
  X(kIo, "io")                 /* any other I/O error (EIO, ...) */       \
  X(kCorruption, "corruption") /* stored bytes fail their checksum */     \
  X(kOther, "other")

enum class StorageErrorKind {
#define FLAGLEDGER_STORAGE_ERROR_KIND_ENUM(name, label) name,
  FLAGLEDGER_STORAGE_ERROR_KINDS(FLAGLEDGER_STORAGE_ERROR_KIND_ENUM)
#undef FLAGLEDGER_STORAGE_ERROR_KIND_ENUM
};

inline constexpr std::string_view kStorageErrorKindNames[] = {
#define FLAGLEDGER_STORAGE_ERROR_KIND_NAME(name, label) label,
    FLAGLEDGER_STORAGE_ERROR_KINDS(FLAGLEDGER_STORAGE_ERROR_KIND_NAME)
#undef FLAGLEDGER_STORAGE_ERROR_KIND_NAME
};
inline constexpr std::size_t kStorageErrorKindCount = std::size(kStorageErrorKindNames);

// RocksDB's memory, from its own properties (summed over the column families).
struct LogMemory {
  std::uint64_t block_cache_bytes = 0;    // bounded by --cache-mb
  std::uint64_t memtable_bytes = 0;       // bounded through the WAL bound (flushes)
  std::uint64_t table_readers_bytes = 0;  // index and filter blocks held outside the cache
};

struct StorageHealth {
  // False while writes answer 503: a write failed and storage has not recovered yet, or the
  // log is open read-only (it could not be opened for writing).
  bool writable = true;
  // The log is served from a read-only instance until storage recovers.
  bool read_only = false;
  // Why writes are refused (the last storage error); empty while writable.
  std::string problem;
  // Storage failures since start, indexed by StorageErrorKind.
  std::array<std::uint64_t, kStorageErrorKindCount> errors{};
};

}  // namespace flagledger

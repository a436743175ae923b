// RocksDB's informational LOG, written so that a failing disk never stops the process.
#pragma once

#include <rocksdb/env.h>

#include <cstdint>
#include <string>

#include "core/thread_annotations.h"

namespace flagledger {
namespace internal {

// A rocksdb::Logger over a plain file: each line is one write(2), and a failed write (a full
// or read-only file system) drops that line and nothing else. RocksDB 7.8's own file logger
// goes through a WritableFileWriter that, built with assertions as Debian's is, aborts the
// process on its next write after a failed one; RocksDB logs background errors on the very
// disk that failed, so that logger turned every full disk into a crash.
// Past `max_bytes` the file is renamed to PATH.old (one kept) and started afresh. The file is
// created 0600. Thread-safe.
class RocksDbInfoLog : public rocksdb::Logger {
 public:
  RocksDbInfoLog(std::string path, std::uint64_t max_bytes);
  ~RocksDbInfoLog() override;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list arguments) override;

 private:
  // REQUIRES: mutex_ held.
  void OpenFile() REQUIRES(mutex_);

  const std::string path_;
  const std::uint64_t max_bytes_;
  Mutex mutex_;
  int fd_ GUARDED_BY(mutex_) = -1;
  std::uint64_t size_ GUARDED_BY(mutex_) = 0;
};

}  // namespace internal
}  // namespace flagledger

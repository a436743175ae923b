// The size of a data directory's live RocksDB write-ahead log: its DATA_DIR/log/*.log files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace flagledger {

// RocksDB deletes WAL files in the background: one listed may be gone before its size is read,
// and then counts nothing.
inline std::uintmax_t WriteAheadLogBytes(const std::string& data_dir) {
  std::uintmax_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir + "/log")) {
    std::error_code gone;
    std::uintmax_t size = entry.path().extension() == ".log" ? entry.file_size(gone) : 0;
    if (!gone) total += size;
  }
  return total;
}

}  // namespace flagledger

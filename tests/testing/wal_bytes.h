// The size of a data directory's live RocksDB write-ahead log: its DATA_DIR/log/*.log files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace flagledger {

inline std::uintmax_t WriteAheadLogBytes(const std::string& data_dir) {
  std::uintmax_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir + "/log")) {
    if (entry.path().extension() == ".log") total += entry.file_size();
  }
  return total;
}

}  // namespace flagledger

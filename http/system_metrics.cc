#include "http/system_metrics.h"

#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "http/prometheus_text.h"

namespace flagledger {
namespace fs = std::filesystem;
namespace {

struct DirectoryFigures {
  double bytes = 0;
  double newest_snapshot_age_seconds = -1;  // -1: no snapshot
};

DirectoryFigures ReadDataDir(const std::string& data_dir) {
  DirectoryFigures figures;
  std::error_code error;
  for (fs::recursive_directory_iterator it(data_dir, error), end; !error && it != end;
       it.increment(error)) {
    std::error_code ignored;
    if (it->is_regular_file(ignored)) figures.bytes += static_cast<double>(it->file_size(ignored));
  }
  auto now = fs::file_time_type::clock::now();
  for (fs::directory_iterator it(data_dir + "/snapshots", error), end; !error && it != end;
       it.increment(error)) {
    std::error_code ignored;
    auto written = it->last_write_time(ignored);
    if (ignored) continue;
    double age = std::chrono::duration<double>(now - written).count();
    if (figures.newest_snapshot_age_seconds < 0 || age < figures.newest_snapshot_age_seconds)
      figures.newest_snapshot_age_seconds = age;
  }
  return figures;
}

struct ProcessFigures {
  double cpu_seconds = 0, resident_bytes = 0, virtual_bytes = 0, start_time_seconds = 0;
  double open_fds = 0, max_fds = 0;
};

ProcessFigures ReadProcess() {
  ProcessFigures figures;
  double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // Fields after "(comm)": state is field 3; utime 14, stime 15, starttime 22, vsize 23, rss 24.
  std::size_t after_name = stat.rfind(')');
  if (after_name != std::string::npos) {
    std::istringstream fields(stat.substr(after_name + 2));
    std::string field;
    for (int number = 3; fields >> field && number <= 24; ++number) {
      double value = std::atof(field.c_str());
      if (number == 14 || number == 15) figures.cpu_seconds += value / ticks;
      if (number == 22) figures.start_time_seconds = value / ticks;
      if (number == 23) figures.virtual_bytes = value;
      if (number == 24) figures.resident_bytes = value * page;
    }
  }
  std::ifstream system_stat("/proc/stat");
  for (std::string line; std::getline(system_stat, line);) {
    if (line.starts_with("btime ")) figures.start_time_seconds += std::atof(line.c_str() + 6);
  }
  std::error_code error;
  for (fs::directory_iterator it("/proc/self/fd", error), end; !error && it != end;
       it.increment(error)) {
    figures.open_fds += 1;
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0)
    figures.max_fds = static_cast<double>(limit.rlim_cur);
  return figures;
}

void Gauge(std::string& out, std::string_view name, std::string_view type, std::string_view help,
           double value) {
  Header(out, name, type, help);
  Sample(out, name, "", value);
}

}  // namespace

void AppendSystemMetrics(std::string& out, const FlagStore& store) {
  StorageHealth health = store.log().health();
  Gauge(out, "flagledger_storage_healthy", "gauge",
        "1 while writes are possible; 0 while they answer 503 (storage failed; see /readyz).",
        health.writable ? 1 : 0);
  Gauge(out, "flagledger_storage_read_only", "gauge",
        "1 while the log is served from a read-only instance (storage refused writes).",
        health.read_only ? 1 : 0);
  Header(out, "flagledger_storage_errors_total", "counter",
         "Failed storage operations (appends, recoveries, opens) since start, by kind.");
  for (std::size_t kind = 0; kind < kStorageErrorKindCount; ++kind) {
    Sample(out, "flagledger_storage_errors_total",
           "kind=\"" + std::string(kStorageErrorKindNames[kind]) + "\"",
           static_cast<double>(health.errors[kind]));
  }

  const std::string& data_dir = store.log().data_dir();
  DirectoryFigures directory = ReadDataDir(data_dir);
  Gauge(out, "flagledger_data_dir_bytes", "gauge",
        "Bytes of the files in the data directory (log, snapshots, spool).", directory.bytes);
  struct statvfs file_system {};
  if (::statvfs(data_dir.c_str(), &file_system) == 0) {
    double fragment = static_cast<double>(file_system.f_frsize);
    Gauge(out, "flagledger_data_dir_free_bytes", "gauge",
          "Bytes available to the server on the data directory's file system.",
          static_cast<double>(file_system.f_bavail) * fragment);
    Gauge(out, "flagledger_data_dir_size_bytes", "gauge",
          "Size of the data directory's file system.",
          static_cast<double>(file_system.f_blocks) * fragment);
  }
  if (directory.newest_snapshot_age_seconds >= 0) {
    Gauge(out, "flagledger_snapshot_age_seconds", "gauge",
          "Seconds since the newest projection snapshot was written (absent: none yet).",
          directory.newest_snapshot_age_seconds);
  }
  Gauge(out, "flagledger_clock_behind_batches_total", "counter",
        "Write batches stamped with the newest event's time because the wall clock read "
        "earlier (the clock went back or is wrong).",
        static_cast<double>(store.clock_behind_batches()));

  LogMemory memory = store.log().memory();
  Gauge(out, "flagledger_rocksdb_block_cache_bytes", "gauge",
        "Bytes in RocksDB's block cache (bounded by --cache-mb).",
        static_cast<double>(memory.block_cache_bytes));
  Gauge(out, "flagledger_rocksdb_memtable_bytes", "gauge",
        "Bytes of RocksDB's memtables, all column families (flushed at the WAL bound).",
        static_cast<double>(memory.memtable_bytes));
  Gauge(out, "flagledger_rocksdb_table_readers_bytes", "gauge",
        "Bytes RocksDB's open table files hold outside the block cache.",
        static_cast<double>(memory.table_readers_bytes));

  ProcessFigures process = ReadProcess();
  Gauge(out, "process_cpu_seconds_total", "counter",
        "Total user and system CPU time spent in seconds.", process.cpu_seconds);
  Gauge(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
        process.resident_bytes);
  Gauge(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
        process.virtual_bytes);
  Gauge(out, "process_start_time_seconds", "gauge",
        "Start time of the process since unix epoch in seconds.", process.start_time_seconds);
  Gauge(out, "process_open_fds", "gauge", "Number of open file descriptors.", process.open_fds);
  Gauge(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
        process.max_fds);
}

}  // namespace flagledger

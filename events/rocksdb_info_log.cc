#include "events/rocksdb_info_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace flagledger {
namespace internal {

RocksDbInfoLog::RocksDbInfoLog(std::string path, std::uint64_t max_bytes)
    : path_(std::move(path)), max_bytes_(max_bytes) {
  MutexLock lock(mutex_);
  OpenFile();
}

RocksDbInfoLog::~RocksDbInfoLog() {
  MutexLock lock(mutex_);
  if (fd_ >= 0) ::close(fd_);
}

void RocksDbInfoLog::OpenFile() {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  struct stat info {};
  size_ = fd_ >= 0 && ::fstat(fd_, &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
}

void RocksDbInfoLog::Logv(const char* format, va_list arguments) {
  // RocksDB's own line shape: local-free UTC time with microseconds, thread id, message.
  char line[2048];
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()) %
                std::chrono::seconds(1);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  int prefix = std::snprintf(line, sizeof line, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld %lx ",
                             utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                             utc.tm_min, utc.tm_sec, static_cast<long>(micros.count()),
                             static_cast<unsigned long>(::gettid()));
  if (prefix < 0) return;
  int body = std::vsnprintf(line + prefix, sizeof line - prefix, format, arguments);
  if (body < 0) return;
  std::size_t length = std::min(sizeof line - 1, static_cast<std::size_t>(prefix + body));
  line[length++] = '\n';

  MutexLock lock(mutex_);
  if (fd_ >= 0 && size_ + length > max_bytes_) {
    ::close(fd_);
    std::string old = path_ + ".old";
    ::rename(path_.c_str(), old.c_str());
    OpenFile();
  }
  if (fd_ < 0) OpenFile();  // it could not be created earlier (storage may have recovered)
  if (fd_ < 0) return;
  ssize_t written = ::write(fd_, line, length);
  if (written > 0) size_ += static_cast<std::uint64_t>(written);
}

}  // namespace internal
}  // namespace flagledger

#include "projections/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace flagledger {
namespace {

Status IoError(const std::string& what) {
  return Status(ErrorCode::kUnavailable, what + ": " + std::strerror(errno));
}

// Writes all of `bytes` to `path` and fsyncs it.
Status WriteDurably(const std::string& path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create " + path);
  std::size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status error = IoError("cannot write " + path);
      ::close(fd);
      return error;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status error = IoError("cannot sync " + path);
    ::close(fd);
    return error;
  }
  ::close(fd);
  return Status::Ok();
}

}  // namespace

Status SyncDirectory(const std::string& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open " + directory);
  int result = ::fsync(fd);
  ::close(fd);
  return result == 0 ? Status::Ok() : IoError("cannot sync " + directory);
}

Status ReplaceFileDurably(const std::string& path, std::string_view bytes) {
  std::string temporary = path + ".tmp";
  Status written = WriteDurably(temporary, bytes);
  if (written.ok() && ::rename(temporary.c_str(), path.c_str()) != 0) {
    written = IoError("cannot rename " + temporary);
  }
  if (!written.ok()) {
    ::unlink(temporary.c_str());
    return written;
  }
  std::string directory = std::filesystem::path(path).parent_path().string();
  return SyncDirectory(directory.empty() ? "." : directory);
}

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

}  // namespace flagledger

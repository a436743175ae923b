#include "projections/snapshot_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "projections/snapshot_codec.h"

namespace flagledger {
namespace {

namespace fs = std::filesystem;

Status IoError(const std::string& what) {
  return Status(ErrorCode::kUnavailable, what + ": " + std::strerror(errno));
}

// Writes all of `bytes` to `path` and fsyncs it.
Status WriteDurably(const std::string& path, const std::string& bytes) {
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

Status SyncDirectory(const std::string& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open " + directory);
  int result = ::fsync(fd);
  ::close(fd);
  return result == 0 ? Status::Ok() : IoError("cannot sync " + directory);
}

}  // namespace

SnapshotStore::SnapshotStore(std::string data_dir)
    : directory_(std::move(data_dir) + "/snapshots") {}

Status SnapshotStore::Write(const ProjectionSnapshot& snapshot, std::size_t keep) {
  std::error_code error;
  fs::create_directories(directory_, error);
  if (error)
    return Status(ErrorCode::kUnavailable, "cannot create " + directory_ + ": " + error.message());
  char name[64];
  std::snprintf(name, sizeof(name), "snapshot-%020" PRIu64 ".bin", snapshot.sequence);
  std::string path = directory_ + "/" + name;
  std::string temporary = path + ".tmp";
  Status written = WriteDurably(temporary, EncodeSnapshot(snapshot));
  if (!written.ok()) {
    fs::remove(temporary, error);
    return written;
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) return IoError("cannot rename " + temporary);
  Status synced = SyncDirectory(directory_);
  if (!synced.ok()) return synced;
  auto entries = List();
  for (std::size_t i = keep; i < entries.size(); ++i) fs::remove(entries[i].path, error);
  return Status::Ok();
}

std::vector<SnapshotStore::Entry> SnapshotStore::List() const {
  std::vector<Entry> entries;
  std::error_code error;
  for (const auto& file : fs::directory_iterator(directory_, error)) {
    std::string name = file.path().filename().string();
    std::uint64_t sequence = 0;
    char tail = 0;
    if (name.size() == 33 &&
        std::sscanf(name.c_str(), "snapshot-%20" SCNu64 ".bi%c", &sequence, &tail) == 2 &&
        tail == 'n') {
      entries.push_back({sequence, file.path().string()});
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.sequence > b.sequence; });
  return entries;
}

Result<std::shared_ptr<const ProjectionSnapshot>> SnapshotStore::Read(const Entry& entry) const {
  std::ifstream in(entry.path, std::ios::binary);
  if (!in) return Status(ErrorCode::kUnavailable, "cannot read " + entry.path);
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto snapshot = DecodeSnapshot(bytes.str());
  if (!snapshot.ok()) return snapshot;
  if ((*snapshot)->sequence != entry.sequence) {
    return Status(ErrorCode::kInternal, "snapshot rejected: its name and content disagree");
  }
  return snapshot;
}

std::shared_ptr<const ProjectionSnapshot> SnapshotStore::LoadNewest(
    std::uint64_t max_sequence, const std::function<void(const std::string&)>& rejected) const {
  for (const Entry& entry : List()) {
    if (entry.sequence > max_sequence) {
      rejected(entry.path + ": snapshot rejected: it lies past the end of the log (" +
               std::to_string(max_sequence) + ")");
      continue;
    }
    auto snapshot = Read(entry);
    if (snapshot.ok()) return std::move(snapshot).value();
    rejected(entry.path + ": " + snapshot.status().detail());
  }
  return nullptr;
}

}  // namespace flagledger

#include "projections/snapshot_store.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>

#include "projections/file_io.h"
#include "projections/snapshot_codec.h"

namespace flagledger {
namespace {

namespace fs = std::filesystem;

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
  Status written = ReplaceFileDurably(directory_ + "/" + name, EncodeSnapshot(snapshot));
  if (!written.ok()) return written;
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

std::optional<SnapshotStore::Entry> SnapshotStore::NewestWithin(std::uint64_t max_sequence) const {
  for (Entry& entry : List()) {
    if (entry.sequence <= max_sequence) return std::move(entry);
  }
  return std::nullopt;
}

Result<std::shared_ptr<const ProjectionSnapshot>> SnapshotStore::Read(const Entry& entry) const {
  auto bytes = ReadWholeFile(entry.path);
  if (!bytes) return Status(ErrorCode::kUnavailable, "cannot read " + entry.path);
  auto snapshot = DecodeSnapshot(*bytes);
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

#include "http/checkpoint_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "http/tar_archive.h"
#include "projections/snapshot_store.h"

namespace flagledger {

namespace fs = std::filesystem;

std::atomic<int> CheckpointStream::streaming_{0};

Result<std::shared_ptr<CheckpointStream>> CheckpointStream::Open(const EventLog& log) {
  std::shared_ptr<CheckpointStream> stream(new CheckpointStream());
  if (streaming_.fetch_add(1) >= kMaxConcurrent) {
    streaming_.fetch_sub(1);
    return Status(ErrorCode::kUnavailable,
                  std::to_string(kMaxConcurrent) +
                      " checkpoints are being sent already; retry when one has finished");
  }
  stream->counted_ = true;
  auto open_member = [&](const fs::path& path, std::string name) -> Status {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat info {};
    if (fd < 0 || ::fstat(fd, &info) != 0) {
      if (fd >= 0) ::close(fd);
      return Status(ErrorCode::kUnavailable,
                    "cannot open " + path.string() + " for the checkpoint");
    }
    stream->members_.push_back(
        Member{std::move(name), fd, static_cast<std::uint64_t>(info.st_size), info.st_mtime});
    return Status::Ok();
  };

  // The newest snapshot, listed before the checkpoint is made: the checkpoint holds it.
  std::optional<SnapshotStore::Entry> snapshot =
      SnapshotStore(log.data_dir()).NewestWithin(log.last_sequence());
  static std::atomic<std::uint64_t> scratch_count{0};
  fs::path scratch = fs::path(log.data_dir()) / (".checkpoint-" + std::to_string(::getpid()) + "-" +
                                                 std::to_string(scratch_count++));
  std::error_code ignored;
  fs::remove_all(scratch, ignored);
  Status made = log.CreateCheckpoint(scratch.string());
  Status opened = made;
  if (made.ok()) {
    std::error_code error;
    for (const fs::directory_entry& entry : fs::directory_iterator(scratch, error)) {
      if (!entry.is_regular_file()) continue;
      opened = open_member(entry.path(), "log/" + entry.path().filename().string());
      if (!opened.ok()) break;
    }
    if (error)
      opened = Status(ErrorCode::kUnavailable, "cannot list the checkpoint: " + error.message());
  }
  // Open files keep their bytes: the directory goes now, whatever happens next.
  fs::remove_all(scratch, ignored);
  if (!opened.ok()) return opened;
  // A snapshot the writer replaced meanwhile is left out: the follower then replays the log.
  if (snapshot) {
    fs::path path(snapshot->path);
    (void)open_member(path, "snapshots/" + path.filename().string());
  }
  for (const Member& member : stream->members_) {
    if (!TarNameProblem(member.name).empty() || member.size > kMaxTarMemberBytes) {
      return Status(ErrorCode::kInternal,
                    "the checkpoint's file " + member.name + " cannot be archived");
    }
  }
  return stream;
}

CheckpointStream::~CheckpointStream() {
  for (Member& member : members_) {
    if (member.fd >= 0) ::close(member.fd);
  }
  if (counted_) streaming_.fetch_sub(1);
}

std::uint64_t CheckpointStream::bytes() const {
  std::uint64_t total = 0;
  for (const Member& member : members_) total += member.size;
  return total;
}

ResponseStream::Part CheckpointStream::Next(std::string& out) {
  if (ended_) return Part::kEnd;
  if (current_ == members_.size()) {
    out.append(kTarEndBytes, '\0');
    ended_ = true;
    return Part::kData;
  }
  Member& member = members_[current_];
  if (!header_sent_) {
    out += TarMemberHeader(member.name, member.size, member.mtime);
    header_sent_ = true;
  }
  std::uint64_t left = member.size - sent_;
  std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, kChunkBytes));
  std::size_t start = out.size();
  out.resize(start + want);
  std::size_t filled = 0;
  while (filled < want) {
    ssize_t n = ::pread(member.fd, out.data() + start + filled, want - filled,
                        static_cast<off_t>(sent_ + filled));
    if (n < 0 && errno == EINTR) continue;
    // A file that shrank (or cannot be read) leaves an archive that would lie: cut it.
    if (n <= 0) return Part::kFailed;
    filled += static_cast<std::size_t>(n);
  }
  sent_ += want;
  if (sent_ == member.size) {
    out.append(TarPadding(member.size), '\0');
    ::close(member.fd);
    member.fd = -1;
    ++current_;
    sent_ = 0;
    header_sent_ = false;
  }
  return Part::kData;
}

}  // namespace flagledger

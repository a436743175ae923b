// The body of GET /api/v1/replication/checkpoint (docs/api.md, "Read replicas"): a copy of the
// log, and the newest projection snapshot within it, as a ustar archive of log/... and
// snapshots/... that a new follower unpacks into its empty data directory (`tar x` does the
// same by hand). Every file is opened before the first byte is sent and the scratch
// checkpoint directory removed at once, so no leftover survives the stream, however it ends.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "events/event_log.h"
#include "http/response_stream.h"

namespace flagledger {

class CheckpointStream : public ResponseStream {
 public:
  // At most this many checkpoints stream at once; another is refused (kUnavailable).
  static constexpr int kMaxConcurrent = 2;
  // Bytes per piece of the body.
  static constexpr std::size_t kChunkBytes = std::size_t{256} << 10;

  // Makes a checkpoint of `log` (in a scratch directory of its data directory) and opens its
  // files and those of the newest snapshot in DATA_DIR/snapshots that it holds.
  static Result<std::shared_ptr<CheckpointStream>> Open(const EventLog& log);
  ~CheckpointStream() override;

  Part Next(std::string& out) override;
  bool live() const override { return false; }

  std::uint64_t bytes() const;  // of the files, without the archive's headers

 private:
  struct Member {
    std::string name;  // in the archive
    int fd = -1;
    std::uint64_t size = 0;
    std::int64_t mtime = 0;
  };
  CheckpointStream() = default;

  std::vector<Member> members_;
  std::size_t current_ = 0;   // the member being sent
  std::uint64_t sent_ = 0;    // of its bytes
  bool header_sent_ = false;  // of the current member
  bool ended_ = false;
  bool counted_ = false;  // holds one of kMaxConcurrent
  static std::atomic<int> streaming_;
};

}  // namespace flagledger

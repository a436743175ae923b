// The POSIX ustar format (pax's "ustar" interchange format, POSIX.1-2001) for what the
// replication checkpoint carries: regular files under relative paths, nothing else. Written by
// the leader piece by piece and read by a bootstrapping follower as the bytes arrive; `tar x`
// reads it too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace flagledger {

inline constexpr std::size_t kTarBlock = 512;
// Two zero blocks end an archive.
inline constexpr std::size_t kTarEndBytes = 2 * kTarBlock;
// A member's size must fit the header's 11 octal digits.
inline constexpr std::uint64_t kMaxTarMemberBytes = (std::uint64_t{1} << 33) - 1;

// What a member's path must be: 1 to 99 bytes of [A-Za-z0-9._-] in '/'-separated parts, none
// empty, "." or "..". Empty when `name` is one.
std::string TarNameProblem(std::string_view name);

// The header block of a regular file `name` of `size` bytes (mode 0600).
// REQUIRES: TarNameProblem(name) is empty and size <= kMaxTarMemberBytes.
std::string TarMemberHeader(std::string_view name, std::uint64_t size, std::int64_t mtime_seconds);

// The zero bytes that follow a member of `size` bytes, up to the next block.
inline std::size_t TarPadding(std::uint64_t size) {
  return static_cast<std::size_t>((kTarBlock - size % kTarBlock) % kTarBlock);
}

// Reads an archive of regular files as its bytes arrive, in pieces of any size, and hands each
// member to a sink. Anything but a regular file or directory, a bad checksum or a name that
// TarNameProblem refuses is kValidationFailed, and the reader stops there.
class TarReader {
 public:
  class Sink {
   public:
    virtual ~Sink() = default;
    virtual Status Begin(std::string_view name, std::uint64_t size) = 0;
    virtual Status Write(std::string_view bytes) = 0;  // the member's next bytes
    virtual Status End() = 0;                          // after its last byte
  };

  explicit TarReader(Sink& sink) : sink_(sink) {}

  // Takes the next bytes. An error (the archive's or the sink's) is final.
  Status Feed(std::string_view bytes);
  // The end-of-archive blocks were read: the archive is complete.
  bool finished() const { return state_ == State::kFinished; }

 private:
  enum class State { kHeader, kData, kPadding, kFinished, kFailed };
  Status TakeHeader();

  Sink& sink_;
  State state_ = State::kHeader;
  std::string header_;           // a header block as it fills
  std::uint64_t remaining_ = 0;  // bytes left of the member, or of its padding
  std::size_t padding_ = 0;      // the current member's
  std::size_t zero_blocks_ = 0;  // zero header blocks seen in a row
};

}  // namespace flagledger

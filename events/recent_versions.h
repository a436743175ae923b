// The last version of the flag streams the log's writer read or wrote lately, so that a
// stream written again needs no seek in the log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace flagledger {

// Two generations: a stream is remembered in the current one; when that holds
// `per_generation` streams it becomes the previous one (the older previous is dropped), and a
// stream found in the previous generation moves back into the current. So at most
// 2 x per_generation streams are held (about 100 bytes each), and a stream written again
// within the last per_generation distinct streams is always known.
// Not thread-safe: the log's writer owns it.
class RecentVersions {
 public:
  // REQUIRES: per_generation > 0.
  explicit RecentVersions(std::size_t per_generation) : per_generation_(per_generation) {}

  // The version remembered for `stream`, if any.
  std::optional<std::uint64_t> Find(const std::string& stream);

  // `stream`'s version is now `version`.
  void Remember(const std::string& stream, std::uint64_t version);

  std::size_t size() const { return current_.size() + previous_.size(); }

 private:
  void RotateIfFull();

  std::size_t per_generation_;
  std::unordered_map<std::string, std::uint64_t> current_, previous_;
};

}  // namespace flagledger

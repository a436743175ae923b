#include "events/recent_versions.h"

#include <utility>

namespace flagledger {

std::optional<std::uint64_t> RecentVersions::Find(const std::string& stream) {
  if (auto it = current_.find(stream); it != current_.end()) return it->second;
  auto it = previous_.find(stream);
  if (it == previous_.end()) return std::nullopt;
  std::uint64_t version = it->second;
  current_.insert(previous_.extract(it));  // moves the node, no copy of the key
  RotateIfFull();
  return version;
}

void RecentVersions::Remember(const std::string& stream, std::uint64_t version) {
  current_.insert_or_assign(stream, version);  // shadows a stale entry in previous_
  RotateIfFull();
}

void RecentVersions::RotateIfFull() {
  if (current_.size() < per_generation_) return;
  previous_ = std::move(current_);
  current_.clear();
}

}  // namespace flagledger

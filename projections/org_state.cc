#include "projections/org_state.h"

#include <algorithm>

namespace flagledger {

std::vector<std::shared_ptr<const FlagRecord>>::const_iterator OrgState::Locate(
    std::string_view flag_key) const {
  auto it = std::lower_bound(
      flags_.begin(), flags_.end(), flag_key,
      [](const std::shared_ptr<const FlagRecord>& r, std::string_view key) {
        return std::string_view(r->flag.flag_key) < key;
      });
  return it != flags_.end() && (*it)->flag.flag_key == flag_key ? it : flags_.end();
}

const FlagRecord* OrgState::Find(std::string_view flag_key) const {
  auto it = Locate(flag_key);
  return it == flags_.end() ? nullptr : it->get();
}

std::shared_ptr<const FlagRecord> OrgState::FindShared(std::string_view flag_key) const {
  auto it = Locate(flag_key);
  return it == flags_.end() ? nullptr : *it;
}

std::span<const std::shared_ptr<const FlagRecord>> OrgState::Page(std::size_t offset,
                                                                   std::size_t limit) const {
  if (offset >= flags_.size()) return {};
  return std::span(flags_).subspan(offset, std::min(limit, flags_.size() - offset));
}

}  // namespace flagledger

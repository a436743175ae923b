// The whole projection at one log position: every organization's live flags.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "projections/org_state.h"

namespace flagledger {

// Immutable; readers hold it through shared_ptr<const> and never wait for the writer.
struct ProjectionSnapshot {
  std::uint64_t sequence = 0;  // the newest event folded in (0: none)
  // Organizations with at least one live flag, sorted by id.
  std::vector<std::shared_ptr<const OrgState>> organizations;

  // nullptr when the organization has no live flag. O(log organizations).
  const OrgState* FindOrganization(std::string_view organization_id) const;
  std::size_t FlagCount() const;
};

}  // namespace flagledger

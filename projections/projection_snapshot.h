// The whole projection at one log position: every organization's live flags.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "projections/org_state.h"
#include "projections/sorted_chunks.h"

namespace flagledger {

struct OrganizationIdOf {
  std::string_view operator()(const std::shared_ptr<const OrgState>& org) const {
    return org->organization_id();
  }
};
// Organizations by id; a changed version shares the chunks it did not change.
using OrgList = SortedChunks<std::shared_ptr<const OrgState>, OrganizationIdOf>;

// Immutable; readers hold it through shared_ptr<const> and never wait for the writer.
struct ProjectionSnapshot {
  std::uint64_t sequence = 0;  // the newest event folded in (0: none)
  // Organizations with at least one live flag.
  OrgList organizations;

  // nullptr when the organization has no live flag. O(log organizations).
  const OrgState* FindOrganization(std::string_view organization_id) const {
    const auto* org = organizations.Find(organization_id);
    return org ? org->get() : nullptr;
  }
  std::size_t FlagCount() const;
};

}  // namespace flagledger

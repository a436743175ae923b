#include "projections/projection_snapshot.h"

#include <algorithm>

namespace flagledger {

const OrgState* ProjectionSnapshot::FindOrganization(std::string_view organization_id) const {
  auto it = std::lower_bound(organizations.begin(), organizations.end(), organization_id,
                             [](const std::shared_ptr<const OrgState>& org, std::string_view id) {
                               return std::string_view(org->organization_id()) < id;
                             });
  if (it == organizations.end() || (*it)->organization_id() != organization_id) return nullptr;
  return it->get();
}

std::size_t ProjectionSnapshot::FlagCount() const {
  std::size_t count = 0;
  for (const auto& org : organizations) count += org->size();
  return count;
}

}  // namespace flagledger

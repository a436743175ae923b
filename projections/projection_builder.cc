#include "projections/projection_builder.h"

#include <algorithm>

namespace flagledger {

ProjectionBuilder::ProjectionBuilder(std::shared_ptr<const ProjectionSnapshot> base)
    : base_(base ? std::move(base) : std::make_shared<const ProjectionSnapshot>()),
      sequence_(base_->sequence) {}

ProjectionBuilder::FlagMap& ProjectionBuilder::TouchOrganization(
    std::string_view organization_id) {
  auto it = touched_.find(organization_id);
  if (it != touched_.end()) return it->second;
  FlagMap& flags = touched_[std::string(organization_id)];
  if (const OrgState* org = base_->FindOrganization(organization_id)) {
    for (const auto& record : org->flags()) flags.emplace_hint(flags.end(), record->flag.flag_key, record);
  }
  return flags;
}

std::shared_ptr<const FlagRecord> ProjectionBuilder::Apply(const Event& event) {
  auto record = event.flag ? MakeFlagRecord(*event.flag, event.version) : nullptr;
  Apply(event, record);
  return record;
}

void ProjectionBuilder::Apply(const Event& event, std::shared_ptr<const FlagRecord> record_after) {
  sequence_ = event.sequence;
  FlagMap& flags = TouchOrganization(event.organization_id);
  flags.erase(event.flag_key);
  if (!record_after) return;  // flag.deleted
  std::string_view key = record_after->flag.flag_key;
  flags.emplace(key, std::move(record_after));
}

const FlagRecord* ProjectionBuilder::Find(std::string_view organization_id,
                                          std::string_view flag_key) const {
  auto org = touched_.find(organization_id);
  if (org == touched_.end()) {
    const OrgState* state = base_->FindOrganization(organization_id);
    return state ? state->Find(flag_key) : nullptr;
  }
  auto flag = org->second.find(flag_key);
  return flag == org->second.end() ? nullptr : flag->second.get();
}

std::shared_ptr<const ProjectionSnapshot> ProjectionBuilder::Build() {
  auto next = std::make_shared<ProjectionSnapshot>();
  next->sequence = sequence_;
  next->organizations.reserve(base_->organizations.size() + touched_.size());
  // Merge the untouched organizations of the base with the rebuilt ones, by id.
  auto base_it = base_->organizations.begin();
  auto base_end = base_->organizations.end();
  for (auto& [organization_id, flags] : touched_) {
    while (base_it != base_end && (*base_it)->organization_id() < organization_id) {
      next->organizations.push_back(*base_it++);
    }
    if (base_it != base_end && (*base_it)->organization_id() == organization_id) ++base_it;
    if (flags.empty()) continue;  // an organization without flags is not listed
    std::vector<std::shared_ptr<const FlagRecord>> sorted;
    sorted.reserve(flags.size());
    for (auto& entry : flags) sorted.push_back(std::move(entry.second));
    next->organizations.push_back(
        std::make_shared<const OrgState>(organization_id, std::move(sorted)));
  }
  next->organizations.insert(next->organizations.end(), base_it, base_end);
  touched_.clear();
  return next;
}

}  // namespace flagledger

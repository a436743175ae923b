#include "projections/projection_builder.h"

#include <vector>

namespace flagledger {

ProjectionBuilder::ProjectionBuilder(std::shared_ptr<const ProjectionSnapshot> base)
    : base_(base ? std::move(base) : std::make_shared<const ProjectionSnapshot>()),
      sequence_(base_->sequence) {}

std::shared_ptr<const FlagRecord> ProjectionBuilder::Apply(const Event& event) {
  auto record = event.flag ? MakeFlagRecord(*event.flag, event.version) : nullptr;
  Apply(event, record);
  return record;
}

ProjectionBuilder::Changes& ProjectionBuilder::ChangesOf(const std::string& organization_id) {
  auto org = touched_.find(organization_id);
  if (org == touched_.end()) org = touched_.emplace(organization_id, Changes()).first;
  return org->second;
}

void ProjectionBuilder::Apply(const Event& event, std::shared_ptr<const FlagRecord> record_after) {
  sequence_ = event.sequence;
  if (IsTokenEvent(event.type)) return;  // tokens are not flags (projections/token_table.h)
  ChangesOf(event.organization_id)
      .insert_or_assign(event.flag_key, Change{std::move(record_after), {}, 0});
}

void ProjectionBuilder::Fold(Event&& event) {
  sequence_ = event.sequence;
  if (IsTokenEvent(event.type)) return;
  Change& change = ChangesOf(event.organization_id)[event.flag_key];
  change.record.reset();
  change.flag = std::move(event.flag);
  change.version = event.version;
}

std::shared_ptr<const ProjectionSnapshot> ProjectionBuilder::Build() {
  auto next = std::make_shared<ProjectionSnapshot>();
  next->sequence = sequence_;
  // Each touched organization's flags merged with its changes, then the organizations with
  // the touched ones; both merges share the chunks that no change falls into.
  static const FlagList kNoFlags;
  std::vector<OrgList::Edit> organizations;
  organizations.reserve(touched_.size());
  std::vector<FlagList::Edit> flags;
  for (auto& [organization_id, changes] : touched_) {
    flags.clear();
    flags.reserve(changes.size());
    for (auto& [flag_key, change] : changes) {
      if (change.flag) change.record = MakeFlagRecord(std::move(*change.flag), change.version);
      flags.push_back({flag_key, std::move(change.record)});  // null: deleted
    }
    const OrgState* before = base_->FindOrganization(organization_id);
    FlagList merged = (before ? before->flags() : kNoFlags).Merge(flags);
    changes.clear();  // released organization by organization, to keep the peak memory low
    organizations.push_back(
        {organization_id,
         merged.empty() ? nullptr
                        : std::make_shared<const OrgState>(organization_id, std::move(merged))});
  }
  next->organizations = base_->organizations.Merge(organizations);  // null: no flags left
  touched_.clear();
  return next;
}

}  // namespace flagledger

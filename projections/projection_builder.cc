#include "projections/projection_builder.h"

#include <algorithm>

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
  ChangesOf(event.organization_id).insert_or_assign(event.flag_key, Change{std::move(record_after), {}, 0});
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
  next->organizations.reserve(base_->organizations.size() + touched_.size());
  // Merge the untouched organizations of the base with the rebuilt ones, by id.
  auto base_it = base_->organizations.begin();
  auto base_end = base_->organizations.end();
  static const std::vector<std::shared_ptr<const FlagRecord>> kNoFlags;
  for (auto& [organization_id, changes] : touched_) {
    while (base_it != base_end && (*base_it)->organization_id() < organization_id) {
      next->organizations.push_back(*base_it++);
    }
    const auto* before = &kNoFlags;
    if (base_it != base_end && (*base_it)->organization_id() == organization_id) {
      before = &(*base_it++)->flags();
    }
    // Merge the sorted flags with the sorted changes; a change replaces or deletes its key.
    std::vector<std::shared_ptr<const FlagRecord>> merged;
    merged.reserve(before->size() + changes.size());
    auto flag = before->begin();
    while (!changes.empty()) {
      // Each change is released as soon as it is merged, to keep the peak memory low.
      auto node = changes.extract(changes.begin());
      const std::string& flag_key = node.key();
      Change& change = node.mapped();
      while (flag != before->end() && (*flag)->flag.flag_key < flag_key) merged.push_back(*flag++);
      if (flag != before->end() && (*flag)->flag.flag_key == flag_key) ++flag;
      if (change.flag) change.record = MakeFlagRecord(std::move(*change.flag), change.version);
      if (change.record) merged.push_back(std::move(change.record));
    }
    merged.insert(merged.end(), flag, before->end());
    if (merged.empty()) continue;  // an organization without flags is not listed
    next->organizations.push_back(
        std::make_shared<const OrgState>(organization_id, std::move(merged)));
  }
  next->organizations.insert(next->organizations.end(), base_it, base_end);
  touched_.clear();
  return next;
}

}  // namespace flagledger

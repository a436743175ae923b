// Folds events into a new ProjectionSnapshot: the one way the projection's state changes.
#pragma once

#include <map>
#include <memory>
#include <string_view>

#include "events/event.h"
#include "projections/projection_snapshot.h"

namespace flagledger {

// Starts from a base snapshot (or empty), applies events in sequence order, and builds the
// next snapshot. It keeps only the changes; Build() merges each touched organization's
// changes into its sorted flags in one pass, O(flags + changes x log changes), and shares the
// untouched organizations with the base. Single-threaded; the base is never modified.
class ProjectionBuilder {
 public:
  explicit ProjectionBuilder(std::shared_ptr<const ProjectionSnapshot> base = nullptr);

  // Folds one event and returns the flag's record after it (nullptr after flag.deleted).
  // REQUIRES: events arrive in ascending sequence, each valid for the state before it.
  std::shared_ptr<const FlagRecord> Apply(const Event& event);
  // The same, with the record after the event already built (MakeFlagRecord of its flag).
  void Apply(const Event& event, std::shared_ptr<const FlagRecord> record_after);

  // The current state of one flag, or nullptr.
  const FlagRecord* Find(std::string_view organization_id, std::string_view flag_key) const;

  // The snapshot after every applied event. The builder is spent afterwards.
  std::shared_ptr<const ProjectionSnapshot> Build();

 private:
  // A flag key's state after the changes: a record, or null when deleted.
  using Changes = std::map<std::string, std::shared_ptr<const FlagRecord>, std::less<>>;

  std::shared_ptr<const ProjectionSnapshot> base_;
  std::uint64_t sequence_ = 0;
  std::map<std::string, Changes, std::less<>> touched_;  // organization id -> its changes
};

}  // namespace flagledger

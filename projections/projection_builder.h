// Folds events into a new ProjectionSnapshot: the one way the projection's state changes.
#pragma once

#include <map>
#include <memory>
#include <string_view>

#include "events/event.h"
#include "projections/projection_snapshot.h"

namespace flagledger {

// Starts from a base snapshot (or empty), applies events in sequence order, and builds the
// next snapshot; organizations no event touched are shared with the base, not copied.
// Single-threaded; the base is never modified.
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
  using FlagMap = std::map<std::string_view, std::shared_ptr<const FlagRecord>, std::less<>>;
  FlagMap& TouchOrganization(std::string_view organization_id);

  std::shared_ptr<const ProjectionSnapshot> base_;
  std::uint64_t sequence_ = 0;
  // Organizations changed since base_; keys view into the records' own flag_key.
  std::map<std::string, FlagMap, std::less<>> touched_;
};

}  // namespace flagledger

// Folds events into a new ProjectionSnapshot: the one way the projection's state changes.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string_view>

#include "events/event.h"
#include "projections/projection_snapshot.h"

namespace flagledger {

// Starts from a base snapshot (or empty), applies events in sequence order, and builds the
// next snapshot. It keeps only the changes; Build() merges them into the base's sorted chunks
// (projections/sorted_chunks.h), copying only the chunks they fall into and the chunk tables
// of the touched organizations and of the organization list; everything else is shared with
// the base. Single-threaded; the base is never modified.
class ProjectionBuilder {
 public:
  explicit ProjectionBuilder(std::shared_ptr<const ProjectionSnapshot> base = nullptr);

  // Folds one event and returns the flag's record after it (nullptr after flag.deleted).
  // REQUIRES: events arrive in ascending sequence, each valid for the state before it.
  std::shared_ptr<const FlagRecord> Apply(const Event& event);
  // The same, with the record after the event already built (MakeFlagRecord of its flag).
  void Apply(const Event& event, std::shared_ptr<const FlagRecord> record_after);
  // The bulk path (start-up, replay): takes the event's flag and renders it only in Build(),
  // so a state that a later event overwrites is never rendered.
  void Fold(Event&& event);

  // The snapshot after every applied event. The builder is spent afterwards.
  std::shared_ptr<const ProjectionSnapshot> Build();

 private:
  // A flag key's state after the changes: a record, a flag still to render, or neither when
  // deleted.
  struct Change {
    std::shared_ptr<const FlagRecord> record;
    std::optional<Flag> flag;
    std::uint64_t version = 0;
  };
  using Changes = std::map<std::string, Change, std::less<>>;
  Changes& ChangesOf(const std::string& organization_id);

  std::shared_ptr<const ProjectionSnapshot> base_;
  std::uint64_t sequence_ = 0;
  std::map<std::string, Changes, std::less<>> touched_;  // organization id -> its changes
};

}  // namespace flagledger

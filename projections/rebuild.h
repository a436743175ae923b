// Rebuilding the projection from the event log.
#pragma once

#include <memory>

#include "core/status.h"
#include "events/event_log.h"
#include "projections/projection_snapshot.h"

namespace flagledger {

// Folds the events after `base` (every event when `base` is null) into a snapshot, up to
// event `until` inclusive. Fails with kInternal when an event cannot be decoded or the
// sequence has a gap (a damaged log is never silently read), and with kUnavailable on a
// storage error.
Result<std::shared_ptr<const ProjectionSnapshot>> RebuildProjection(
    const EventLog& log, std::shared_ptr<const ProjectionSnapshot> base = nullptr,
    std::uint64_t until = EventRange::kEnd);

}  // namespace flagledger

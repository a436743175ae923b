// The decision step of a write: a command against the current state becomes an event.
#pragma once

#include <optional>

#include "core/status.h"
#include "events/event.h"
#include "projections/command.h"

namespace flagledger {

// Pure. Given the flag's current state (nullptr when it does not exist) and its stream's
// current version, returns the event the command causes (version = current_version + 1,
// sequence unassigned), std::nullopt when the command would change nothing, or kFlagExists,
// kFlagNotFound, or kPreconditionFailed when If-Match does not accept the current version.
Result<std::optional<Event>> Decide(const Command& command, const Flag* current,
                                    std::uint64_t current_version, Timestamp recorded_at,
                                    const CommandContext& context);

}  // namespace flagledger

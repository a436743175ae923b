// The decision step of a write: a command against the current state becomes an event.
#pragma once

#include <optional>

#include "core/status.h"
#include "events/event.h"
#include "projections/command.h"

namespace flagledger {

// Pure. Given the flag's current state (nullptr when it does not exist), returns the event
// the command causes (sequence and version unassigned), std::nullopt when the command would
// change nothing, or kFlagExists / kFlagNotFound.
Result<std::optional<Event>> Decide(const Command& command, const Flag* current,
                                    Timestamp recorded_at, const CommandContext& context);

}  // namespace flagledger

// The decision step of a write: a command against the current state becomes an event.
#pragma once

#include <optional>

#include "core/status.h"
#include "events/event.h"
#include "projections/command.h"
#include "projections/token_table.h"

namespace flagledger {

// Pure. Given the flag's current state (nullptr when it does not exist) and its stream's
// current version, returns the event the command causes (version = current_version + 1,
// sequence unassigned), std::nullopt when the command would change nothing, or kFlagExists,
// kFlagNotFound, or kPreconditionFailed when If-Match does not accept the current version.
// A revert (flag.reverted) also applies to a deleted flag, whose If-Match then names the
// stream's version ("*" fails: nothing exists now); it is kFlagNotFound only for a key that
// never had a flag. A token command or a restore is kInternal (DecideToken and the writer
// decide those; a restore is a revert of each flag).
Result<std::optional<Event>> Decide(const Command& command, const Flag* current,
                                    std::uint64_t current_version, Timestamp recorded_at,
                                    const CommandContext& context);

// Pure. A flag command is kInternal (see Decide). Decides a token command against the tokens:
// creating an existing id is kFlagExists unless it is the same token again (then nullopt,
// so a retried request changes nothing); revoking an unknown id is kFlagNotFound, revoking a
// revoked token changes nothing. kValidationFailed for a non-admin kAllOrganizations token.
Result<std::optional<Event>> DecideToken(const Command& command, const TokenTable& tokens,
                                         Timestamp recorded_at, const CommandContext& context);

}  // namespace flagledger

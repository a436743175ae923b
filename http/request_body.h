// Validating write request bodies into commands (docs/api.md, "Resources", "Flag endpoints" and
// "Errors"), and OFREP's evaluation body ("Evaluation and OFREP").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/timestamp.h"
#include "projections/command.h"

namespace flagledger {

struct CreateFlagRequest {
  std::string flag_key;
  CreateFlag action;
};

// What a revert or restore body names: the point, exactly one of `to_event` and `as_of`.
struct RevertRequest {
  std::optional<std::uint64_t> to_event;
  std::optional<Timestamp> as_of;
  bool dry_run = false;
};

// What an OFREP evaluation body ({"context": {...}}) says; other context members are ignored.
struct OfrepContext {
  std::optional<std::string> version;  // "" when present but not a string: never SemVer
  std::optional<std::string> organization_id;
};

// Each parser returns kInvalidJson when `body` is not well-formed UTF-8 JSON or not an object,
// and kValidationFailed listing every broken rule (wrong types, unknown or duplicate members,
// bad SemVer or date, missing members, read-only members that differ from the path).
// Thread-safe (one JSON parser per thread).

// POST: flag_key (required), enabled, rollout_condition; organization_id if it equals the path.
Result<CreateFlagRequest> ParseCreateFlagBody(std::string_view body,
                                              std::string_view organization_id);
// PUT: enabled and/or rollout_condition; flag_key and organization_id if they equal the path;
// created_at and updated_at ignored.
Result<UpdateFlag> ParseUpdateFlagBody(std::string_view body, std::string_view organization_id,
                                       std::string_view flag_key);
// PATCH .../rollout: min_version and/or activation_date, each a value or null.
Result<PatchRollout> ParsePatchRolloutBody(std::string_view body);
// POST .../revert and .../restore: to_event (an integer from 0) or as_of (RFC 3339, or a date
// alone), exactly one; dry_run (a boolean) only where `dry_run_allowed`.
Result<RevertRequest> ParseRevertBody(std::string_view body, bool dry_run_allowed);
// POST /ofrep/v1/...: an empty body or a missing context is an empty context. kInvalidJson as
// above (OFREP's PARSE_ERROR); kValidationFailed when context is not an object or its
// organization_id is not a valid organization id (OFREP's INVALID_CONTEXT).
Result<OfrepContext> ParseOfrepBody(std::string_view body);

}  // namespace flagledger

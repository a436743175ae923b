// Commands: what a client asks to change, before it is checked against the projection.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "core/flag.h"

namespace flagledger {

struct CreateFlag {
  bool enabled = false;
  std::optional<RolloutCondition> rollout_condition;
};

// PUT: members absent keep their value; a present rollout_condition replaces (null clears).
struct UpdateFlag {
  std::optional<bool> enabled;
  std::optional<std::optional<RolloutCondition>> rollout_condition;
};

// PATCH .../rollout, a JSON merge patch of the rollout condition.
struct PatchRollout {
  std::optional<std::optional<SemVer>> min_version;
  std::optional<std::optional<Timestamp>> activation_date;
};

struct DeleteFlag {};

// REQUIRES: organization_id and flag_key are valid identifiers (core/identifier.h) and the
// action's values were validated (the HTTP layer does both).
struct Command {
  std::string organization_id;
  std::string flag_key;
  std::variant<CreateFlag, UpdateFlag, PatchRollout, DeleteFlag> action;
};

// Who asks, for the audit trail.
struct CommandContext {
  std::string actor;
  std::string request_id;
};

}  // namespace flagledger

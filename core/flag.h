// The flag resource (docs/api.md, "Resources").
#pragma once

#include <optional>
#include <string>

#include "core/semver.h"
#include "core/timestamp.h"

namespace flagledger {

// When a flag applies to a client. Both members absent means "no condition", which is stored
// and rendered as a null rollout_condition (see NormalizedRollout).
struct RolloutCondition {
  std::optional<SemVer> min_version;
  std::optional<Timestamp> activation_date;  // whole seconds, UTC

  bool empty() const { return !min_version && !activation_date; }
  bool operator==(const RolloutCondition&) const = default;
};

// Maps a condition whose members are both null to "no condition".
inline std::optional<RolloutCondition> NormalizedRollout(std::optional<RolloutCondition> rollout) {
  if (rollout && rollout->empty()) return std::nullopt;
  return rollout;
}

// One flag of one organization as it stands after some event. A plain value.
struct Flag {
  std::string organization_id;
  std::string flag_key;
  bool enabled = false;
  std::optional<RolloutCondition> rollout_condition;  // normalized: never an empty condition
  // Whole seconds, as rendered: recorded_at of the flag.created event and of the latest change.
  Timestamp created_at;
  Timestamp updated_at;

  bool operator==(const Flag&) const = default;
};

}  // namespace flagledger

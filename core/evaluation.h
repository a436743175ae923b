// The evaluation rule (docs/api.md, "Evaluation and OFREP"): is a flag on for a client of some
// version at some moment?
#pragma once

#include <optional>
#include <string_view>

#include "core/flag.h"
#include "core/semver.h"
#include "core/timestamp.h"

namespace flagledger {

// Why a flag evaluated as it did. The first rule that decides wins, in this order: disabled,
// then min_version, then activation_date.
enum class EvaluationReason {
  kDisabled,             // enabled is false: off
  kStatic,               // enabled, no rollout condition: on
  kTargetingMatch,       // enabled and every condition holds: on
  kVersionMissing,       // min_version set, the client sent no version: off
  kVersionInvalid,       // min_version set, the client's version is not SemVer 2.0.0: off
  kVersionBelowMinimum,  // the client's version precedes min_version: off
  kBeforeActivation,     // the evaluation time is before activation_date: off
};

// "DISABLED", "STATIC", "TARGETING_MATCH", "VERSION_MISSING", "VERSION_INVALID",
// "VERSION_BELOW_MINIMUM", "BEFORE_ACTIVATION".
std::string_view EvaluationReasonName(EvaluationReason reason);

struct Evaluation {
  bool value = false;
  EvaluationReason reason = EvaluationReason::kDisabled;
};

// The client's version as it came: absent, or text that may or may not be SemVer.
// Pure: on when enabled, and (no min_version, or version >= min_version by SemVer 2.0.0
// precedence, so 2.0.0-rc.1 < 2.0.0 and build metadata is ignored), and (no activation_date,
// or `now` >= activation_date).
Evaluation Evaluate(const Flag& flag, std::optional<std::string_view> client_version,
                    Timestamp now);

}  // namespace flagledger

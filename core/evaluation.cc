#include "core/evaluation.h"

namespace flagledger {

std::string_view EvaluationReasonName(EvaluationReason reason) {
  switch (reason) {
    case EvaluationReason::kDisabled:
      return "DISABLED";
    case EvaluationReason::kStatic:
      return "STATIC";
    case EvaluationReason::kTargetingMatch:
      return "TARGETING_MATCH";
    case EvaluationReason::kVersionMissing:
      return "VERSION_MISSING";
    case EvaluationReason::kVersionInvalid:
      return "VERSION_INVALID";
    case EvaluationReason::kVersionBelowMinimum:
      return "VERSION_BELOW_MINIMUM";
    case EvaluationReason::kBeforeActivation:
      return "BEFORE_ACTIVATION";
  }
  return "DISABLED";
}

Evaluation Evaluate(const Flag& flag, std::optional<std::string_view> client_version,
                    Timestamp now) {
  if (!flag.enabled) return {false, EvaluationReason::kDisabled};
  if (!flag.rollout_condition) return {true, EvaluationReason::kStatic};
  const RolloutCondition& rollout = *flag.rollout_condition;
  if (rollout.min_version) {
    if (!client_version) return {false, EvaluationReason::kVersionMissing};
    auto version = SemVer::Parse(*client_version);
    if (!version.ok()) return {false, EvaluationReason::kVersionInvalid};
    if (ComparePrecedence(*version, *rollout.min_version) < 0) {
      return {false, EvaluationReason::kVersionBelowMinimum};
    }
  }
  if (rollout.activation_date && now < *rollout.activation_date) {
    return {false, EvaluationReason::kBeforeActivation};
  }
  return {true, EvaluationReason::kTargetingMatch};
}

}  // namespace flagledger

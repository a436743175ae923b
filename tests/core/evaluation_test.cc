#include "core/evaluation.h"

#include <gtest/gtest.h>

namespace flagledger {
namespace {

Timestamp At(std::string_view text) { return ParseRfc3339(text).value().time; }

Flag FlagWith(bool enabled, std::optional<std::string_view> min_version,
              std::optional<std::string_view> activation_date) {
  Flag flag;
  flag.flag_key = "beta";
  flag.organization_id = "org-a";
  flag.enabled = enabled;
  if (min_version || activation_date) {
    RolloutCondition rollout;
    if (min_version) rollout.min_version = SemVer::Parse(*min_version).value();
    if (activation_date) rollout.activation_date = At(*activation_date);
    flag.rollout_condition = rollout;
  }
  return flag;
}

const Timestamp kNow = At("2026-06-01T12:00:00Z");

void ExpectEvaluation(const Flag& flag, std::optional<std::string_view> version, Timestamp now,
                      bool value, EvaluationReason reason) {
  Evaluation evaluation = Evaluate(flag, version, now);
  EXPECT_EQ(evaluation.value, value) << (version ? *version : "(no version)");
  EXPECT_EQ(EvaluationReasonName(evaluation.reason), EvaluationReasonName(reason))
      << (version ? *version : "(no version)");
}

TEST(Evaluation, DisabledIsOffWhateverTheConditions) {
  ExpectEvaluation(FlagWith(false, std::nullopt, std::nullopt), "1.0.0", kNow, false,
                   EvaluationReason::kDisabled);
  ExpectEvaluation(FlagWith(false, "1.0.0", "2000-01-01T00:00:00Z"), "9.0.0", kNow, false,
                   EvaluationReason::kDisabled);
}

TEST(Evaluation, EnabledWithoutConditionsIsOnForEveryone) {
  Flag flag = FlagWith(true, std::nullopt, std::nullopt);
  ExpectEvaluation(flag, std::nullopt, kNow, true, EvaluationReason::kStatic);
  ExpectEvaluation(
      flag, "not a version", kNow, true,
      EvaluationReason::kStatic);  // a version only matters where a min_version asks for one
}

TEST(Evaluation, MinVersionComparesBySemVerPrecedence) {
  Flag flag = FlagWith(true, "2.0.0", std::nullopt);
  ExpectEvaluation(flag, "2.0.0", kNow, true, EvaluationReason::kTargetingMatch);
  ExpectEvaluation(flag, "2.0.0+build.7", kNow, true, EvaluationReason::kTargetingMatch);
  ExpectEvaluation(flag, "10.0.0", kNow, true,
                   EvaluationReason::kTargetingMatch);  // not text order
  ExpectEvaluation(flag, "1.99.99", kNow, false, EvaluationReason::kVersionBelowMinimum);
  ExpectEvaluation(flag, "2.0.0-rc.1", kNow, false,
                   EvaluationReason::kVersionBelowMinimum);  // a pre-release precedes its release
}

TEST(Evaluation, PreReleaseMinimumsFollowSemVerRules) {
  Flag flag = FlagWith(true, "1.0.0-beta.2", std::nullopt);
  ExpectEvaluation(flag, "1.0.0-beta.11", kNow, true,
                   EvaluationReason::kTargetingMatch);  // numeric ids
  ExpectEvaluation(flag, "1.0.0-beta", kNow, false, EvaluationReason::kVersionBelowMinimum);
  ExpectEvaluation(flag, "1.0.0-alpha.9", kNow, false, EvaluationReason::kVersionBelowMinimum);
  ExpectEvaluation(flag, "1.0.0-rc.1", kNow, true, EvaluationReason::kTargetingMatch);
  ExpectEvaluation(flag, "1.0.0", kNow, true, EvaluationReason::kTargetingMatch);
}

TEST(Evaluation, AMissingOrInvalidVersionFacingAMinimumIsOffAndSaysWhy) {
  Flag flag = FlagWith(true, "1.0.0", std::nullopt);
  ExpectEvaluation(flag, std::nullopt, kNow, false, EvaluationReason::kVersionMissing);
  for (std::string_view bad : {"", "1.0", "v1.0.0", "01.0.0", "1.0.0-", "latest"}) {
    ExpectEvaluation(flag, bad, kNow, false, EvaluationReason::kVersionInvalid);
  }
}

TEST(Evaluation, ActivationDateIsInclusive) {
  Flag flag = FlagWith(true, std::nullopt, "2026-06-01T12:00:00Z");
  ExpectEvaluation(flag, std::nullopt, At("2026-06-01T11:59:59.999999Z"), false,
                   EvaluationReason::kBeforeActivation);
  ExpectEvaluation(flag, std::nullopt, At("2026-06-01T12:00:00Z"), true,
                   EvaluationReason::kTargetingMatch);
}

TEST(Evaluation, TheVersionRuleIsCheckedBeforeTheDate) {
  Flag flag = FlagWith(true, "3.0.0", "2030-01-01T00:00:00Z");
  ExpectEvaluation(flag, "2.0.0", kNow, false, EvaluationReason::kVersionBelowMinimum);
  ExpectEvaluation(flag, "3.1.0", kNow, false, EvaluationReason::kBeforeActivation);
  ExpectEvaluation(flag, "3.1.0", At("2030-01-01T00:00:00Z"), true,
                   EvaluationReason::kTargetingMatch);
}

}  // namespace
}  // namespace flagledger

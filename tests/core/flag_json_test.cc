#include "core/flag_json.h"

#include <gtest/gtest.h>

#include "core/json_writer.h"
#include "tests/testing/event_builders.h"

namespace flagledger {
namespace {

TEST(FlagJson, RendersMembersInContractOrder) {
  Flag flag;
  flag.organization_id = "org-nansen-akademiet";
  flag.flag_key = "travel_reimbursement";
  flag.enabled = true;
  flag.rollout_condition = RolloutCondition{Version("2.4.0"), Time("2026-01-15T00:00:00Z")};
  flag.created_at = Time("2025-11-01T08:00:00Z");
  flag.updated_at = Time("2026-01-15T12:30:00Z");
  EXPECT_EQ(FlagJson(flag),
            R"({"flag_key":"travel_reimbursement","enabled":true,)"
            R"("organization_id":"org-nansen-akademiet","rollout_condition":)"
            R"({"min_version":"2.4.0","activation_date":"2026-01-15T00:00:00Z"},)"
            R"("created_at":"2025-11-01T08:00:00Z","updated_at":"2026-01-15T12:30:00Z"})");
}

TEST(FlagJson, RendersAbsentConditionsAsNull) {
  std::string out;
  AppendRolloutJson(out, std::nullopt);
  EXPECT_EQ(out, "null");
  out.clear();
  AppendRolloutJson(out, RolloutCondition{Version("3.0.0"), std::nullopt});
  EXPECT_EQ(out, R"({"min_version":"3.0.0","activation_date":null})");
}

TEST(FlagJson, NormalizesAnEmptyConditionToNull) {
  EXPECT_EQ(NormalizedRollout(RolloutCondition{}), std::nullopt);
  EXPECT_TRUE(NormalizedRollout(RolloutCondition{Version("1.0.0"), std::nullopt}).has_value());
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
  std::string out;
  AppendJsonString(out, std::string("a\"b\\c\nd\x01\te", 10));
  EXPECT_EQ(out, R"("a\"b\\c\nd\u0001\te")");
}

TEST(JsonWriter, WritesUnsignedIntegers) {
  std::string out;
  AppendJsonUint(out, 18446744073709551615ULL);
  EXPECT_EQ(out, "18446744073709551615");
}

}  // namespace
}  // namespace flagledger

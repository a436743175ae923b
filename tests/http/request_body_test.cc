#include "http/request_body.h"

#include <gtest/gtest.h>

namespace flagledger {
namespace {

std::vector<FieldError> ErrorsOf(const Status& status) {
  EXPECT_FALSE(status.ok());
  return status.ok() ? std::vector<FieldError>{} : status.field_errors();
}

TEST(RequestBody, CreateAcceptsTheSeedExample) {
  auto request =
      ParseCreateFlagBody(R"({"flag_key":"peer_review_module","enabled":false,"rollout_condition":)"
                          R"({"min_version":"3.1.0","activation_date":"2026-06-01T00:00:00Z"}})",
                          "org-a");
  ASSERT_TRUE(request.ok()) << request.status().detail();
  EXPECT_EQ(request->flag_key, "peer_review_module");
  EXPECT_FALSE(request->action.enabled);
  ASSERT_TRUE(request->action.rollout_condition);
  EXPECT_EQ(request->action.rollout_condition->min_version->text(), "3.1.0");
}

TEST(RequestBody, CreateDefaultsEnabledAndCondition) {
  auto request = ParseCreateFlagBody(R"({"flag_key":"x"})", "org-a");
  ASSERT_TRUE(request.ok());
  EXPECT_FALSE(request->action.enabled);
  EXPECT_FALSE(request->action.rollout_condition);
}

TEST(RequestBody, RejectsWhatIsNotAJsonObject) {
  for (std::string_view body : {"", "{", "[]", "\"x\"", "null", "{} {}", "{\"a\":1,}", "{'a':1}"}) {
    auto request = ParseCreateFlagBody(body, "org-a");
    ASSERT_FALSE(request.ok()) << body;
    EXPECT_EQ(request.status().code(), ErrorCode::kInvalidJson) << body;
  }
  auto latin1 = ParseCreateFlagBody("{\"flag_key\":\"caf\xe9\"}", "org-a");
  ASSERT_FALSE(latin1.ok());
  EXPECT_EQ(latin1.status().code(), ErrorCode::kInvalidJson);
  EXPECT_EQ(latin1.status().detail(), "the request body is not valid UTF-8");
}

TEST(RequestBody, ListsEveryBrokenRuleAtOnce) {
  auto request = ParseCreateFlagBody(
      R"({"enabeld":true,"enabled":"yes","rollout_condition":{"min_version":"1.0","activation_date":"2026-01-01T00:00:00.5Z","extra":1}})",
      "org-a");
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.status().code(), ErrorCode::kValidationFailed);
  std::vector<std::string> fields;
  for (const auto& error : ErrorsOf(request.status())) fields.push_back(error.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"enabeld", "enabled", "rollout_condition.min_version",
                                              "rollout_condition.activation_date",
                                              "rollout_condition.extra", "flag_key"}));
}

TEST(RequestBody, CreateChecksTheFlagKeyAndOrganization) {
  EXPECT_EQ(ErrorsOf(ParseCreateFlagBody(R"({"flag_key":"-bad"})", "org-a").status())[0].field,
            "flag_key");
  EXPECT_EQ(ErrorsOf(ParseCreateFlagBody(R"({"flag_key":7})", "org-a").status())[0].message,
            "must be a string");
  EXPECT_TRUE(ParseCreateFlagBody(R"({"flag_key":"x","organization_id":"org-a"})", "org-a").ok());
  EXPECT_EQ(
      ErrorsOf(
          ParseCreateFlagBody(R"({"flag_key":"x","organization_id":"org-b"})", "org-a").status())[0]
          .field,
      "organization_id");
}

TEST(RequestBody, RejectsDuplicateMembers) {
  auto request = ParseCreateFlagBody(R"({"flag_key":"x","enabled":true,"enabled":false})", "org-a");
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(ErrorsOf(request.status())[0].message, "appears more than once");
}

TEST(RequestBody, UpdateNeedsEnabledOrCondition) {
  EXPECT_EQ(ParseUpdateFlagBody("{}", "org-a", "x").status().code(), ErrorCode::kValidationFailed);
  EXPECT_EQ(ParseUpdateFlagBody(R"({"created_at":"whatever"})", "org-a", "x").status().code(),
            ErrorCode::kValidationFailed);
}

TEST(RequestBody, UpdateAcceptsAFetchedFlagSentBack) {
  auto update = ParseUpdateFlagBody(
      R"({"flag_key":"x","enabled":true,"organization_id":"org-a","rollout_condition":null,)"
      R"("created_at":"2025-11-01T08:00:00Z","updated_at":"2026-01-15T12:30:00Z"})",
      "org-a", "x");
  ASSERT_TRUE(update.ok()) << update.status().detail();
  EXPECT_EQ(update->enabled, true);
  ASSERT_TRUE(update->rollout_condition);
  EXPECT_FALSE(*update->rollout_condition);
}

TEST(RequestBody, UpdateRejectsReadOnlyMembersThatDiffer) {
  auto update = ParseUpdateFlagBody(R"({"enabled":true,"flag_key":"y","organization_id":"org-b"})",
                                    "org-a", "x");
  auto errors = ErrorsOf(update.status());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].field, "flag_key");
  EXPECT_EQ(errors[1].field, "organization_id");
}

TEST(RequestBody, ConditionMembersMayBeAbsentOrNull) {
  auto update =
      ParseUpdateFlagBody(R"({"rollout_condition":{"min_version":"2.0.0"}})", "org-a", "x");
  ASSERT_TRUE(update.ok());
  EXPECT_FALSE((*update->rollout_condition)->activation_date);
  EXPECT_EQ(ParseUpdateFlagBody(R"({"rollout_condition":[]})", "org-a", "x")
                .status()
                .field_errors()[0]
                .message,
            "must be an object or null");
}

TEST(RequestBody, PatchIsAMergePatch) {
  auto patch = ParsePatchRolloutBody(R"({"min_version":null})");
  ASSERT_TRUE(patch.ok());
  ASSERT_TRUE(patch->min_version);
  EXPECT_FALSE(*patch->min_version);
  EXPECT_FALSE(patch->activation_date);
  auto dated = ParsePatchRolloutBody(R"({"activation_date":"2026-05-15T02:00:00+02:00"})");
  ASSERT_TRUE(dated.ok());
  EXPECT_EQ((*dated->activation_date)->ToSecondsString(), "2026-05-15T00:00:00Z");
}

TEST(RequestBody, PatchRejectsEmptyAndUnknownMembers) {
  EXPECT_EQ(ParsePatchRolloutBody("{}").status().code(), ErrorCode::kValidationFailed);
  auto unknown = ParsePatchRolloutBody(R"({"enabled":true})");
  EXPECT_EQ(ErrorsOf(unknown.status())[0].field, "enabled");
  EXPECT_EQ(ErrorsOf(ParsePatchRolloutBody(R"({"min_version":1})").status())[0].message,
            "must be a string or null");
  EXPECT_EQ(
      ErrorsOf(
          ParsePatchRolloutBody(R"({"activation_date":"2026-05-15T00:00:00.001Z"})").status())[0]
          .message,
      "must not have a fractional second");
  EXPECT_TRUE(ParsePatchRolloutBody(R"({"activation_date":"2026-05-15T00:00:00.000Z"})").ok());
}

TEST(RequestBody, OfrepBodyReadsVersionAndOrganization) {
  auto context = ParseOfrepBody(
      R"({"context":{"targetingKey":"u1","version":"2.0.0","organization_id":"org-a","plan":"pro"}})");
  ASSERT_TRUE(context.ok()) << context.status().detail();
  EXPECT_EQ(context->version, "2.0.0");
  EXPECT_EQ(context->organization_id, "org-a");
  auto empty = ParseOfrepBody("");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->version);
  EXPECT_FALSE(empty->organization_id);
  auto no_context = ParseOfrepBody("{}");
  ASSERT_TRUE(no_context.ok());
  auto numeric = ParseOfrepBody(R"({"context":{"version":3}})");
  ASSERT_TRUE(numeric.ok());
  EXPECT_EQ(numeric->version, "") << "a version that is no string can never be SemVer";
}

TEST(RequestBody, OfrepBodyErrorsSayParseErrorOrInvalidContext) {
  EXPECT_EQ(ParseOfrepBody("{not json").status().code(), ErrorCode::kInvalidJson);
  EXPECT_EQ(ParseOfrepBody("[1]").status().code(), ErrorCode::kInvalidJson);
  EXPECT_EQ(ParseOfrepBody(R"({"context":[1]})").status().code(), ErrorCode::kValidationFailed);
  EXPECT_EQ(ParseOfrepBody(R"({"context":{"organization_id":"bad org"}})").status().code(),
            ErrorCode::kValidationFailed);
  EXPECT_EQ(ParseOfrepBody(R"({"context":{"organization_id":7}})").status().code(),
            ErrorCode::kValidationFailed);
}

}  // namespace
}  // namespace flagledger

// Token commands through the store: decided, appended to the system stream, applied.
#include <gtest/gtest.h>

#include "core/sha256.h"
#include "events/event_codec.h"
#include "projections/decide.h"
#include "projections/flag_store.h"
#include "tests/testing/store_fixture.h"

namespace flagledger {
namespace {

const std::string kHash = Sha256Hex("flt_secret");

Command Create(std::string id, std::string org = "org-a", Role role = Role::kWrite,
               std::string hash = kHash) {
  return Command{std::string(kSystemStream), std::move(id),
                 CreateToken{"deployer", std::move(org), role, std::move(hash)}};
}
Command Revoke(std::string id) {
  return Command{std::string(kSystemStream), std::move(id), RevokeToken{}};
}

class TokenStoreTest : public StoreFixture {
 protected:
  Status Write(Command command) { return Run(std::move(command), {"cli:root", "req-1"}).status; }
};

TEST_F(TokenStoreTest, CreateAppendsATokenEventAndPublishesTheToken) {
  ASSERT_TRUE(Write(Create("tok_1")).ok());
  const ApiToken* token = store_->tokens()->FindBySecretHash(kHash);
  ASSERT_NE(token, nullptr);
  EXPECT_EQ(token->id, "tok_1");
  EXPECT_EQ(token->name, "deployer");
  EXPECT_EQ(token->role, Role::kWrite);
  EXPECT_TRUE(token->active());
  EXPECT_EQ(log_->last_sequence(), 1u);
  EXPECT_EQ(store_->snapshot()->sequence, 1u) << "the projection's sequence follows the log";
  EXPECT_EQ(store_->snapshot()->FlagCount(), 0u) << "a token is not a flag";

  std::string json;
  ASSERT_TRUE(log_->Scan({},
                         [&](std::uint64_t, std::string_view stored) {
                           json = stored;
                           return true;
                         })
                  .ok());
  EXPECT_EQ(
      json.find(
          R"({"sequence":1,"type":"token.created","organization_id":"_system","token_id":"tok_1","version":1,)"),
      0u)
      << json;
  EXPECT_NE(
      json.find(
          R"("actor":"cli:root","request_id":"req-1","token":{"name":"deployer","organization_id":"org-a","role":"write","secret_sha256":")" +
          kHash + "\"},\"previous_hash\":"),
      std::string::npos)
      << json;
  EventDecoder decoder;
  auto decoded = decoder.Decode(json);
  ASSERT_TRUE(decoded.ok()) << decoded.status().detail();
  EXPECT_EQ(EncodeEvent(*decoded), json) << "token events round-trip byte for byte";
}

TEST_F(TokenStoreTest, RevokeTakesEffectAndBothSurviveARestart) {
  ASSERT_TRUE(Write(Create("tok_1")).ok());
  ASSERT_TRUE(Write(Revoke("tok_1")).ok());
  EXPECT_FALSE(store_->tokens()->FindById("tok_1")->active());
  EXPECT_EQ(log_->last_sequence(), 2u);
  Open();
  const ApiToken* token = store_->tokens()->FindById("tok_1");
  ASSERT_NE(token, nullptr);
  EXPECT_FALSE(token->active());
  EXPECT_EQ(token->version, 2u);
}

TEST_F(TokenStoreTest, RejectedCommandsAppendNothing) {
  ASSERT_TRUE(Write(Create("tok_1")).ok());
  EXPECT_EQ(Write(Create("tok_1", "org-b")).code(), ErrorCode::kFlagExists);
  EXPECT_EQ(Write(Revoke("tok_unknown")).code(), ErrorCode::kFlagNotFound);
  EXPECT_EQ(Write(Create("tok_2", std::string(kAllOrganizations), Role::kWrite)).code(),
            ErrorCode::kValidationFailed);
  // A replica token reads the whole log: one scoped to an organization is refused.
  EXPECT_EQ(Write(Create("tok_3", "org-a", Role::kReplica)).code(), ErrorCode::kValidationFailed);
  EXPECT_EQ(log_->last_sequence(), 1u);
  ASSERT_TRUE(Write(Create("tok_4", std::string(kAllOrganizations), Role::kReplica)).ok());
}

TEST_F(TokenStoreTest, RetriesChangeNothing) {
  ASSERT_TRUE(Write(Create("tok_1")).ok());
  EXPECT_TRUE(Write(Create("tok_1")).ok()) << "the same token again: a retried request";
  ASSERT_TRUE(Write(Revoke("tok_1")).ok());
  EXPECT_TRUE(Write(Revoke("tok_1")).ok());
  EXPECT_EQ(log_->last_sequence(), 2u);
}

TEST_F(TokenStoreTest, TokenAndFlagCommandsShareABatchAndTheSequence) {
  std::promise<void> both;
  std::atomic<int> left{2};
  auto done = [&](WriteOutcome outcome) {
    EXPECT_TRUE(outcome.status.ok());
    if (--left == 0) both.set_value();
  };
  store_->Submit(Create("tok_1"), {"cli:root", "r1"}, done);
  store_->Submit(Command{"org-a", "beta", CreateFlag{true, std::nullopt}}, {"deployer", "r2"},
                 done);
  both.get_future().wait();
  EXPECT_EQ(log_->last_sequence(), 2u);
  EXPECT_EQ(store_->snapshot()->FlagCount(), 1u);
  EXPECT_NE(store_->tokens()->FindById("tok_1"), nullptr);
}

}  // namespace
}  // namespace flagledger

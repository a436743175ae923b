#include "http/authorization.h"

#include <gtest/gtest.h>

#include "core/sha256.h"

namespace flagledger {
namespace {

constexpr char kWriterSecret[] =
    "flt_1111111111111111111111111111111111111111111111111111111111111111";
constexpr char kRevokedSecret[] =
    "flt_2222222222222222222222222222222222222222222222222222222222222222";

Event TokenEvent(EventType type, std::string id, std::string name, std::string org, Role role,
                 const std::string& secret, std::uint64_t version) {
  Event event;
  event.type = type;
  event.organization_id = std::string(kSystemStream);
  event.flag_key = std::move(id);
  event.version = version;
  event.token = TokenFacts{std::move(name), std::move(org), role, Sha256Hex(secret)};
  return event;
}

class AuthorizationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokens_.Apply(TokenEvent(EventType::kTokenCreated, "tok_w", "deployer", "org-a", Role::kWrite,
                             kWriterSecret, 1));
    tokens_.Apply(TokenEvent(EventType::kTokenCreated, "tok_r", "gone", "org-a", Role::kRead,
                             kRevokedSecret, 1));
    tokens_.Apply(TokenEvent(EventType::kTokenRevoked, "tok_r", "gone", "org-a", Role::kRead,
                             kRevokedSecret, 2));
  }
  TokenTable tokens_;
};

TEST_F(AuthorizationTest, FindsTheActiveTokenOfABearerHeader) {
  auto principal = Authenticate(tokens_, std::string("Bearer ") + kWriterSecret);
  ASSERT_TRUE(principal.ok()) << principal.status().detail();
  EXPECT_EQ(principal->actor, "deployer");
  EXPECT_TRUE(Authenticate(tokens_, std::string("bearer  ") + kWriterSecret + " ").ok())
      << "the scheme is case-insensitive; spaces around the token are allowed";
}

TEST_F(AuthorizationTest, RejectsMissingMalformedUnknownAndRevokedTokens) {
  for (std::string header :
       {std::string(), std::string("Bearer"), std::string("Bearer "), std::string(kWriterSecret),
        std::string("Basic ") + kWriterSecret, std::string("Bearer x") + kWriterSecret,
        std::string("Bearer flt_") + std::string(64, '3'),
        std::string("Bearer ") + kRevokedSecret}) {
    auto principal = Authenticate(tokens_, header);
    ASSERT_FALSE(principal.ok()) << header;
    EXPECT_EQ(principal.status().code(), ErrorCode::kUnauthorized) << header;
    EXPECT_EQ(principal.status().detail().find("flt_"), std::string::npos)
        << "a secret never appears in an answer";
  }
}

TEST_F(AuthorizationTest, RoutesNeedReadForReadsWriteForChangesAndAnOperatorForTheWholeLog) {
  EXPECT_EQ(RequiredAccess(Route::kFlag, "GET", "org-a").role, Role::kRead);
  EXPECT_EQ(RequiredAccess(Route::kFlags, "HEAD", "org-a").role, Role::kRead);
  EXPECT_EQ(RequiredAccess(Route::kOrgEvents, "GET", "org-a").role, Role::kRead);
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    Access access = RequiredAccess(Route::kFlag, method, "org-a");
    EXPECT_EQ(access.role, Role::kWrite) << method;
    EXPECT_EQ(access.organization_id, "org-a");
  }
  Access whole = RequiredAccess(Route::kAllEvents, "GET", "");
  EXPECT_TRUE(whole.organization_id.empty());
  EXPECT_EQ(whole.role, Role::kAuditor) << "the audit trail: admin or auditor";
  EXPECT_EQ(RequiredAccess(Route::kLogHead, "HEAD", "").role, Role::kAuditor);
  for (Route replication : {Route::kLogEventStream, Route::kReplicationCheckpoint}) {
    Access feed = RequiredAccess(replication, "GET", "");
    EXPECT_TRUE(feed.organization_id.empty());
    EXPECT_EQ(feed.role, Role::kReplica) << "a replica, admin or auditor token";
  }
  Access tokens = RequiredAccess(Route::kOrgTokenEvents, "GET", "org-a");
  EXPECT_EQ(tokens.organization_id, "org-a");
  EXPECT_EQ(tokens.role, Role::kAuditor);
  for (Route write : {Route::kFlagRevert, Route::kOrgRestore}) {
    EXPECT_EQ(RequiredAccess(write, "POST", "org-a").role, Role::kWrite);
  }
}

TEST_F(AuthorizationTest, ExplainsWhyAccessIsForbidden) {
  Principal writer = Authenticate(tokens_, std::string("Bearer ") + kWriterSecret).value();
  EXPECT_TRUE(Authorize(writer, {"org-a", Role::kWrite}).ok());
  Status other = Authorize(writer, {"org-b", Role::kRead});
  EXPECT_EQ(other.code(), ErrorCode::kForbidden);
  EXPECT_NE(other.detail().find("is for organization 'org-a', not 'org-b'"), std::string::npos);
  EXPECT_NE(Authorize(writer, {"", Role::kAdmin}).detail().find("operator token"),
            std::string::npos);
  EXPECT_TRUE(Authorize(Principal{"anonymous", nullptr}, {"", Role::kAdmin}).ok())
      << "without authentication everything is allowed";
}

TEST_F(AuthorizationTest, AutoModeTurnsOnWithTheFirstToken) {
  TokenTable none;
  EXPECT_FALSE(AuthenticationRequired(AuthMode::kAuto, none));
  EXPECT_TRUE(AuthenticationRequired(AuthMode::kAuto, tokens_));
  EXPECT_TRUE(AuthenticationRequired(AuthMode::kOn, none));
  EXPECT_FALSE(AuthenticationRequired(AuthMode::kOff, tokens_));
}

}  // namespace
}  // namespace flagledger

#include "core/api_token.h"

#include <gtest/gtest.h>

#include "core/sha256.h"

namespace flagledger {
namespace {

ApiToken TokenFor(std::string organization_id, Role role) {
  ApiToken token;
  token.id = "tok_1";
  token.name = "t";
  token.organization_id = std::move(organization_id);
  token.role = role;
  return token;
}

TEST(ApiToken, RolesRoundTripAndNothingElseParses) {
  for (Role role : {Role::kRead, Role::kWrite, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_FALSE(ParseRole("Admin"));
  EXPECT_FALSE(ParseRole(""));
  EXPECT_FALSE(ParseRole("owner"));
}

TEST(ApiToken, EachRoleIncludesTheWeakerOnesOnItsOwnOrganizationOnly) {
  ApiToken reader = TokenFor("org-a", Role::kRead);
  ApiToken writer = TokenFor("org-a", Role::kWrite);
  ApiToken admin = TokenFor("org-a", Role::kAdmin);
  EXPECT_TRUE(Grants(reader, {"org-a", Role::kRead}));
  EXPECT_FALSE(Grants(reader, {"org-a", Role::kWrite}));
  EXPECT_TRUE(Grants(writer, {"org-a", Role::kWrite}));
  EXPECT_FALSE(Grants(writer, {"org-a", Role::kAdmin}));
  EXPECT_TRUE(Grants(admin, {"org-a", Role::kWrite}));
  for (const ApiToken* token : {&reader, &writer, &admin}) {
    EXPECT_FALSE(Grants(*token, {"org-b", Role::kRead})) << RoleName(token->role);
    EXPECT_FALSE(Grants(*token, {"", Role::kRead})) << "the whole log";
    EXPECT_FALSE(Grants(*token, {"org-a-and-more", Role::kRead}));
  }
}

TEST(ApiToken, AnOperatorTokenReachesEverythingUntilRevoked) {
  ApiToken operator_token = TokenFor(std::string(kAllOrganizations), Role::kAdmin);
  EXPECT_TRUE(Grants(operator_token, {"org-a", Role::kWrite}));
  EXPECT_TRUE(Grants(operator_token, {"", Role::kAdmin}));
  operator_token.revoked_at = Timestamp::FromMicros(1);
  EXPECT_FALSE(Grants(operator_token, {"org-a", Role::kRead}));
}

TEST(ApiToken, AnAuditorReadsAndReadsTheAuditTrailButWritesNothing) {
  ApiToken auditor = TokenFor("org-a", Role::kAuditor);
  ApiToken everywhere = TokenFor(std::string(kAllOrganizations), Role::kAuditor);
  for (const ApiToken* token : {&auditor, &everywhere}) {
    EXPECT_TRUE(Grants(*token, {"org-a", Role::kRead}));
    EXPECT_TRUE(Grants(*token, {"org-a", Role::kAuditor}));
    EXPECT_FALSE(Grants(*token, {"org-a", Role::kWrite}));
    EXPECT_FALSE(Grants(*token, {"org-a", Role::kAdmin}));
  }
  EXPECT_FALSE(Grants(auditor, {"org-b", Role::kRead}));
  EXPECT_FALSE(Grants(auditor, {"", Role::kAuditor})) << "the whole log needs '*'";
  EXPECT_TRUE(Grants(everywhere, {"", Role::kAuditor}));
  EXPECT_FALSE(Grants(everywhere, {"", Role::kAdmin}));
  // The audit trail is an admin's too, but not a writer's or a reader's.
  EXPECT_TRUE(Grants(TokenFor("org-a", Role::kAdmin), {"org-a", Role::kAuditor}));
  EXPECT_FALSE(Grants(TokenFor("org-a", Role::kWrite), {"org-a", Role::kAuditor}));
  EXPECT_FALSE(Grants(TokenFor("org-a", Role::kRead), {"org-a", Role::kAuditor}));
  EXPECT_EQ(ParseRole("auditor"), Role::kAuditor);
  EXPECT_EQ(RoleName(Role::kAuditor), "auditor");
}

TEST(ApiToken, AReplicaTokenReadsTheReplicationFeedAndNothingElse) {
  ApiToken replica = TokenFor(std::string(kAllOrganizations), Role::kReplica);
  EXPECT_TRUE(Grants(replica, {"", Role::kReplica}));
  for (Role role : {Role::kRead, Role::kWrite, Role::kAdmin, Role::kAuditor}) {
    EXPECT_FALSE(Grants(replica, {"org-a", role})) << RoleName(role);
    EXPECT_FALSE(Grants(replica, {"", role})) << RoleName(role);
  }
  // The operators may read the feed too; an organization's tokens may not, whatever the role.
  for (Role role : {Role::kAdmin, Role::kAuditor}) {
    EXPECT_TRUE(Grants(TokenFor(std::string(kAllOrganizations), role), {"", Role::kReplica}));
    EXPECT_FALSE(Grants(TokenFor("org-a", role), {"", Role::kReplica}));
  }
  EXPECT_FALSE(Grants(TokenFor(std::string(kAllOrganizations), Role::kRead), {"", Role::kReplica}));
  replica.revoked_at = Timestamp::FromMicros(1);
  EXPECT_FALSE(Grants(replica, {"", Role::kReplica}));
  EXPECT_EQ(ParseRole("replica"), Role::kReplica);
  EXPECT_EQ(RoleName(Role::kReplica), "replica");
}

TEST(ApiToken, Sha256MatchesTheStandardVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ApiToken, SecretShape) {
  std::string secret = "flt_" + std::string(64, 'a');
  EXPECT_TRUE(LooksLikeSecret(secret));
  EXPECT_FALSE(LooksLikeSecret(secret.substr(1)));
  EXPECT_FALSE(LooksLikeSecret(secret + "a"));
  EXPECT_FALSE(LooksLikeSecret("flt_" + std::string(64, 'A')));
  EXPECT_FALSE(LooksLikeSecret(""));
}

}  // namespace
}  // namespace flagledger

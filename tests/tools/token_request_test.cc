#include "tools/token_request.h"

#include <gtest/gtest.h>

#include "core/sha256.h"

namespace flagledger {
namespace {

TokenRequest ValidCreate() {
  TokenRequest request;
  request.id = "tok_0123";
  request.name = "deployer";
  request.organization_id = "org-a";
  request.role = Role::kWrite;
  request.secret_sha256 = Sha256Hex("flt_x");
  request.actor = "cli:root";
  request.request_id = "abc123";
  return request;
}

TEST(TokenRequest, RoundTripsThroughTheSpoolForm) {
  TokenRequest create = ValidCreate();
  auto parsed = ParseTokenRequest(EncodeTokenRequest(create));
  ASSERT_TRUE(parsed.ok()) << parsed.status().detail();
  EXPECT_EQ(parsed->name, "deployer");
  EXPECT_EQ(parsed->role, Role::kWrite);
  EXPECT_EQ(parsed->secret_sha256, create.secret_sha256);
  EXPECT_EQ(EncodeTokenRequest(*parsed), EncodeTokenRequest(create));

  TokenRequest revoke;
  revoke.operation = TokenRequest::Operation::kRevoke;
  revoke.id = "tok_0123";
  revoke.actor = "cli:root";
  revoke.request_id = "r";
  auto revoked = ParseTokenRequest(EncodeTokenRequest(revoke));
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->operation, TokenRequest::Operation::kRevoke);
}

TEST(TokenRequest, RejectsWhatTheStoreMustNeverSee) {
  auto broken = [](auto change) {
    TokenRequest request = ValidCreate();
    change(request);
    return ValidateTokenRequest(request);
  };
  EXPECT_TRUE(broken([](TokenRequest& r) { r.name = "\u00c5sa Berg <asa.berg@example.com>"; }).ok())
      << "names are what people are called";
  for (std::string name :
       {std::string(), std::string(" leading"), std::string("trailing "), std::string("tab\there"),
        std::string("bad \xc3\x28 utf-8"), std::string(129, 'x')}) {
    EXPECT_FALSE(broken([&](TokenRequest& r) { r.name = name; }).ok()) << name;
  }
  EXPECT_FALSE(broken([](TokenRequest& r) { r.organization_id = "_system"; }).ok());
  EXPECT_FALSE(broken([](TokenRequest& r) { r.organization_id = "*"; }).ok()) << "'*' needs admin";
  EXPECT_TRUE(broken([](TokenRequest& r) {
                r.organization_id = "*";
                r.role = Role::kAdmin;
              }).ok());
  EXPECT_FALSE(broken([](TokenRequest& r) { r.secret_sha256 = "abc"; }).ok());
  EXPECT_FALSE(broken([](TokenRequest& r) { r.id = ""; }).ok());
  EXPECT_FALSE(ParseTokenRequest("operation=create\nid=tok_1\nextra=1\n").ok());
  EXPECT_FALSE(ParseTokenRequest("id=tok_1\n").ok());
  EXPECT_FALSE(ParseTokenRequest("").ok());
}

}  // namespace
}  // namespace flagledger

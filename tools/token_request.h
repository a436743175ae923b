// A token change asked for by `flagledger token create|revoke`, and its wire form in the
// spool directory (tools/token_spool.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/api_token.h"
#include "core/status.h"
#include "projections/command.h"

namespace flagledger {

struct TokenRequest {
  enum class Operation { kCreate, kRevoke };
  Operation operation = Operation::kCreate;
  std::string id;
  // kCreate only:
  std::string name;
  std::string organization_id;  // or kAllOrganizations
  Role role = Role::kRead;
  std::string secret_sha256;
  // For the audit trail:
  std::string actor;
  std::string request_id;

  Command ToCommand() const;
  CommandContext Context() const { return {actor, request_id, {}, {}}; }
};

// Checks every member (identifiers, the '*' rule, the hash's shape). kValidationFailed.
Status ValidateTokenRequest(const TokenRequest& request);

// One "name=value" line per member. Every value is an identifier, a role or hex, so no
// escaping is needed; Parse validates.
std::string EncodeTokenRequest(const TokenRequest& request);
Result<TokenRequest> ParseTokenRequest(std::string_view text);

}  // namespace flagledger

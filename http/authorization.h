// Bearer-token authentication and per-route authorization (docs/api.md, "Authentication and
// tokens").
#pragma once

#include <string>
#include <string_view>

#include "core/api_token.h"
#include "core/status.h"
#include "http/router.h"
#include "projections/token_table.h"

namespace flagledger {

// kOn: every API request needs a token. kOff: none does; actors are "anonymous".
// kAuto (the default on loopback): open until the first token is created, on from then.
enum class AuthMode { kOn, kOff, kAuto };

// The access a request needs: reads need kRead on the path's organization, changes kWrite;
// the audit trail (an organization's token events, and with an operator token the whole log
// and its head) kAuditor, which admin and auditor tokens have.
Access RequiredAccess(Route route, std::string_view method, std::string_view organization_id);

// Who the request acts as.
struct Principal {
  std::string actor;                // the token's name, or "anonymous" where authentication is off
  const ApiToken* token = nullptr;  // null where authentication is off
};

// True when requests must carry a token.
inline bool AuthenticationRequired(AuthMode mode, const TokenTable& tokens) {
  return mode == AuthMode::kOn || (mode == AuthMode::kAuto && !tokens.empty());
}

// Finds the active token named by an `Authorization: Bearer <secret>` header. kUnauthorized
// when the header is missing, malformed, or names no active token. REQUIRES: authentication
// is required. The result points into `tokens`.
Result<Principal> Authenticate(const TokenTable& tokens, std::string_view authorization);

// kForbidden when `principal` may not have `access`.
Status Authorize(const Principal& principal, const Access& access);

}  // namespace flagledger

#include "http/authorization.h"

#include <strings.h>

namespace flagledger {

Access RequiredAccess(Route route, std::string_view method, std::string_view organization_id) {
  if (route == Route::kAllEvents) return {{}, Role::kAdmin};
  bool reads = method == "GET" || method == "HEAD";
  return {organization_id, reads ? Role::kRead : Role::kWrite};
}

Result<Principal> Authenticate(const TokenTable& tokens, std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer";
  if (authorization.empty()) {
    return Status(ErrorCode::kUnauthorized, "this request needs an API token: send "
                                            "'Authorization: Bearer <token>'");
  }
  bool bearer = authorization.size() > kScheme.size() &&
                strncasecmp(authorization.data(), kScheme.data(), kScheme.size()) == 0 &&
                authorization[kScheme.size()] == ' ';
  std::string_view secret = bearer ? authorization.substr(kScheme.size() + 1) : "";
  while (!secret.empty() && secret.front() == ' ') secret.remove_prefix(1);
  while (!secret.empty() && secret.back() == ' ') secret.remove_suffix(1);
  if (!bearer || secret.empty()) {
    return Status(ErrorCode::kUnauthorized,
                  "the Authorization header must be 'Bearer <token>'");
  }
  // Hashing first keeps the lookup free of timing that depends on the secret's bytes.
  const ApiToken* token = LooksLikeSecret(secret) ? tokens.FindBySecretHash(Sha256Hex(secret))
                                                  : nullptr;
  if (!token || !token->active()) {
    return Status(ErrorCode::kUnauthorized, "the API token is unknown or revoked");
  }
  return Principal{token->name, token};
}

Status Authorize(const Principal& principal, const Access& access) {
  if (!principal.token || Grants(*principal.token, access)) return Status::Ok();
  const ApiToken& token = *principal.token;
  if (access.organization_id.empty()) {
    return Status(ErrorCode::kForbidden, "token '" + token.name +
                                             "' may not read the whole log; that needs an "
                                             "operator token (organization '*', role admin)");
  }
  if (token.organization_id != kAllOrganizations && token.organization_id != access.organization_id) {
    return Status(ErrorCode::kForbidden, "token '" + token.name + "' is for organization '" +
                                             token.organization_id + "', not '" +
                                             std::string(access.organization_id) + "'");
  }
  return Status(ErrorCode::kForbidden, "token '" + token.name + "' has the role '" +
                                           std::string(RoleName(token.role)) + "'; this request needs '" +
                                           std::string(RoleName(access.role)) + "'");
}

}  // namespace flagledger

#include "http/authorization.h"

#include <openssl/crypto.h>
#include <strings.h>

#include <array>

#include "core/sha256.h"

namespace flagledger {
namespace {

// SHA-256 of the secrets this thread saw last. Hashing is pure, so a remembered hash is as good
// as a fresh one, whatever happened to the tokens since (the lookup is always in the current
// table). Keeps a busy client's requests from hashing its secret each time.
const std::string& HashOfSecret(std::string_view secret) {
  struct Entry {
    std::string secret;
    std::string hash;
  };
  constexpr std::size_t kEntries = 16;
  thread_local std::array<Entry, kEntries> recent;
  thread_local std::size_t next = 0;
  for (const Entry& entry : recent) {
    // Constant time, so that timing never tells how much of a remembered secret matched.
    if (!entry.hash.empty() && entry.secret.size() == secret.size() &&
        CRYPTO_memcmp(entry.secret.data(), secret.data(), secret.size()) == 0) {
      return entry.hash;
    }
  }
  Entry& entry = recent[next++ % kEntries];
  entry.secret.assign(secret);
  entry.hash = Sha256Hex(secret);
  return entry.hash;
}

}  // namespace

Access RequiredAccess(Route route, std::string_view method, std::string_view organization_id) {
  bool reads = method == "GET" || method == "HEAD";
  // The operator routes and an organization's token events are the audit trail, for admins
  // and auditors.
  if (InfoOf(route).access == RouteAccess::kOperator) {
    return {{}, reads ? Role::kAuditor : Role::kAdmin};
  }
  if (InfoOf(route).access == RouteAccess::kReplication) return {{}, Role::kReplica};
  if (route == Route::kOrgTokenEvents) return {organization_id, Role::kAuditor};
  return {organization_id, reads ? Role::kRead : Role::kWrite};
}

Result<Principal> Authenticate(const TokenTable& tokens, std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer";
  if (authorization.empty()) {
    return Status(ErrorCode::kUnauthorized,
                  "this request needs an API token: send "
                  "'Authorization: Bearer <token>'");
  }
  bool bearer = authorization.size() > kScheme.size() &&
                strncasecmp(authorization.data(), kScheme.data(), kScheme.size()) == 0 &&
                authorization[kScheme.size()] == ' ';
  std::string_view secret = bearer ? authorization.substr(kScheme.size() + 1) : "";
  while (!secret.empty() && secret.front() == ' ') secret.remove_prefix(1);
  while (!secret.empty() && secret.back() == ' ') secret.remove_suffix(1);
  if (!bearer || secret.empty()) {
    return Status(ErrorCode::kUnauthorized, "the Authorization header must be 'Bearer <token>'");
  }
  // Looking up the hash keeps the lookup's timing independent of how much of a secret matches.
  const ApiToken* token =
      LooksLikeSecret(secret) ? tokens.FindBySecretHash(HashOfSecret(secret)) : nullptr;
  if (!token || !token->active()) {
    return Status(ErrorCode::kUnauthorized, "the API token is unknown or revoked");
  }
  return Principal{token->name, token};
}

Status Authorize(const Principal& principal, const Access& access) {
  if (!principal.token || Grants(*principal.token, access)) return Status::Ok();
  const ApiToken& token = *principal.token;
  if (token.role == Role::kReplica) {
    return Status(ErrorCode::kForbidden, "token '" + token.name +
                                             "' has the role 'replica', which reads the "
                                             "replication feed only");
  }
  if (access.organization_id.empty()) {
    return Status(ErrorCode::kForbidden,
                  "token '" + token.name +
                      "' may not read the whole log; that needs an operator token (organization "
                      "'*', role admin or auditor" +
                      (access.role == Role::kReplica ? std::string(", or replica") : "") + ")");
  }
  if (token.organization_id != kAllOrganizations &&
      token.organization_id != access.organization_id) {
    return Status(ErrorCode::kForbidden, "token '" + token.name + "' is for organization '" +
                                             token.organization_id + "', not '" +
                                             std::string(access.organization_id) + "'");
  }
  std::string needed = access.role == Role::kAuditor   ? "admin' or 'auditor"
                       : access.role == Role::kReplica ? "admin', 'auditor' or 'replica"
                                                       : std::string(RoleName(access.role));
  return Status(ErrorCode::kForbidden, "token '" + token.name + "' has the role '" +
                                           std::string(RoleName(token.role)) +
                                           "'; this request needs '" + needed + "'");
}

}  // namespace flagledger

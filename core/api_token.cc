#include "core/api_token.h"

#include "core/printable_text.h"

namespace flagledger {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kRead:
      return "read";
    case Role::kWrite:
      return "write";
    case Role::kAdmin:
      return "admin";
    case Role::kAuditor:
      return "auditor";
    case Role::kReplica:
      return "replica";
  }
  return "read";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role role : {Role::kRead, Role::kWrite, Role::kAdmin, Role::kAuditor, Role::kReplica}) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

bool Grants(const ApiToken& token, const Access& access) {
  bool covers =
      token.organization_id == kAllOrganizations ||
      (!access.organization_id.empty() && token.organization_id == access.organization_id);
  if (!token.active() || !covers) return false;
  if (access.role == Role::kReplica) {
    return token.role == Role::kReplica || token.role == Role::kAdmin ||
           token.role == Role::kAuditor;
  }
  if (token.role == Role::kReplica) return false;
  if (token.role == Role::kAuditor) {
    return access.role == Role::kRead || access.role == Role::kAuditor;
  }
  if (access.role == Role::kAuditor) return token.role == Role::kAdmin;
  return token.role >= access.role;
}

std::string TokenNameProblem(std::string_view name) {
  std::string problem = PrintableTextProblem(name, kMaxTokenNameCharacters);
  if (!problem.empty()) return problem;
  if (name.front() == ' ' || name.back() == ' ') return "must not start or end with a space";
  return "";
}

bool LooksLikeSecret(std::string_view text) {
  if (!text.starts_with(kSecretPrefix)) return false;
  text.remove_prefix(kSecretPrefix.size());
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace flagledger

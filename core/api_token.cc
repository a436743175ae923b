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
  }
  return "read";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role role : {Role::kRead, Role::kWrite, Role::kAdmin}) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

bool Grants(const ApiToken& token, const Access& access) {
  if (!token.active() || token.role < access.role) return false;
  if (token.organization_id == kAllOrganizations) return true;
  return !access.organization_id.empty() && token.organization_id == access.organization_id;
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

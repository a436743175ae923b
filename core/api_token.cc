#include "core/api_token.h"

#include <openssl/evp.h>

#include <memory>

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

std::string Sha256Hex(std::string_view data) {
  // The algorithm is fetched once and each thread reuses its context: OpenSSL 3's implicit
  // fetch in EVP_Digest costs more than hashing a token.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                               &EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestInit_ex(context.get(), kSha256, nullptr);
  EVP_DigestUpdate(context.get(), data.data(), data.size());
  EVP_DigestFinal_ex(context.get(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(std::size_t{2} * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
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

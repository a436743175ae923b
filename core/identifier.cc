#include "core/identifier.h"

namespace flagledger {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

bool IsValidIdentifier(std::string_view text) {
  if (text.empty() || text.size() > kMaxIdentifierLength || !IsAlnum(text.front())) return false;
  for (char c : text) {
    if (!IsAlnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace flagledger

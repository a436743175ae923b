// Organization ids and flag keys (docs/api.md, "Identifiers").
#pragma once

#include <string_view>

namespace flagledger {

inline constexpr std::size_t kMaxIdentifierLength = 128;

// True when `text` is 1..128 characters from [A-Za-z0-9._-] and starts with a letter or digit.
// Case-sensitive; no normalization is applied.
bool IsValidIdentifier(std::string_view text);

}  // namespace flagledger

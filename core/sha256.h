// SHA-256 (OpenSSL's libcrypto), as lowercase hex.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace flagledger {

// The lowercase hex SHA-256 (64 digits) of the concatenation of `parts`. Thread-safe.
std::string Sha256Hex(std::initializer_list<std::string_view> parts);
inline std::string Sha256Hex(std::string_view data) { return Sha256Hex({data}); }

}  // namespace flagledger

// X-Request-Id handling (api-contract.md §4).
#pragma once

#include <string>
#include <string_view>

namespace flagledger {

// The client's id when it is 1..128 printable ASCII characters, else a new random one
// (32 lowercase hex digits). Thread-safe.
std::string ChooseRequestId(std::string_view client_id);

}  // namespace flagledger

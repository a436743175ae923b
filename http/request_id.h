// X-Request-Id handling (docs/api.md, "Request ids and response headers").
#pragma once

#include <string>
#include <string_view>

namespace flagledger {

// Sets `id` to the client's id when it is 1..128 printable ASCII characters, else to a new
// random one (32 lowercase hex digits). Reuses `id`'s storage: a connection's id string
// allocates once, not per request. Thread-safe.
void ChooseRequestId(std::string_view client_id, std::string& id);

}  // namespace flagledger

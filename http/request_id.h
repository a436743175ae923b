// X-Request-Id handling (docs/api.md, "Request ids and response headers").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace flagledger {

// Sets `id` to the client's id when it is 1..128 printable ASCII characters, else to a new
// random one (32 lowercase hex digits). Reuses `id`'s storage: a connection's id string
// allocates once, not per request. Thread-safe.
void ChooseRequestId(std::string_view client_id, std::string& id);

// Sets `id` to `digits` random lowercase hex digits, reusing its storage (a per-thread
// generator seeded from the OS: for ids, not secrets). Thread-safe.
void FillRandomHex(std::string& id, std::size_t digits);

}  // namespace flagledger

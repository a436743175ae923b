// The stored answer to a write sent with an Idempotency-Key (docs/api.md, "Concurrency and
// retries").
#pragma once

#include <string>

#include "core/timestamp.h"

namespace flagledger {

// Kept in the log's `idempotency` family, written in the same WriteBatch as the events of the
// request it answers. `request` and `response` are opaque to the log.
struct IdempotencyRecord {
  std::string scope_key;  // organization id '\0' Idempotency-Key
  Timestamp created_at;
  std::string request;   // what identifies the request: method, target and body
  std::string response;  // the first answer, as the HTTP layer stored it

  bool operator==(const IdempotencyRecord&) const = default;
};

}  // namespace flagledger

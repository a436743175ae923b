// The REST API: routes a request to its handler and answers it.
#pragma once

#include <atomic>

#include "http/authorization.h"
#include "http/http_message.h"
#include "projections/flag_store.h"

namespace flagledger {

// Stateless apart from the store it serves; thread-safe. Reads answer from the store's
// snapshot on the calling thread; writes answer from the store's writer thread once durable.
class Api {
 public:
  // REQUIRES: `store` outlives the Api.
  explicit Api(FlagStore& store, AuthMode auth = AuthMode::kAuto) : store_(store), auth_(auth) {}

  // Answers `request` through `respond`, exactly once. Never throws.
  void Handle(const HttpRequest& request, Responder respond);

  // From now on /readyz answers 503 (the server is draining).
  void BeginShutdown() { shutting_down_.store(true, std::memory_order_release); }

 private:
  FlagStore& store_;
  const AuthMode auth_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace flagledger

// The REST API: routes a request to its handler and answers it.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>

#include "http/authorization.h"
#include "http/background_work.h"
#include "http/cluster_node.h"
#include "http/http_message.h"
#include "http/list_page_cache.h"
#include "http/metrics.h"
#include "http/replica_follower.h"
#include "http/router.h"
#include "projections/flag_store.h"

namespace flagledger {

// What the server learns of a request it handed to the Api.
struct HandledRequest {
  std::optional<Route> route;     // for the metrics; nullopt when no route matched
  std::int64_t token_index = -1;  // TokenTable::IndexOf the authenticating token; -1: none
};

// Stateless apart from the store it serves, the list pages it keeps and a thread for blocking
// work (BackgroundWork); thread-safe. Reads
// answer from the store's snapshot on the calling thread; writes answer from the store's
// writer thread once durable.
class Api {
 public:
  // REQUIRES: `store` (and `metrics`, when given) outlive the Api. Current list pages are kept
  // within `list_page_cache_bytes` (0: none; see ListPageCache).
  // `replica`, when given, makes this server a read replica: writes answer 503
  // read_only_replica naming the leader, and /readyz and the metrics tell its lag.
  // `cluster`, when given, makes it a cluster's node: writes reach the store only while the
  // node is the cluster's writer, and otherwise answer 503 read_only_replica naming the
  // writer.
  explicit Api(FlagStore& store, AuthMode auth = AuthMode::kAuto, const Metrics* metrics = nullptr,
               std::size_t list_page_cache_bytes = ListPageCache::kDefaultBudgetBytes,
               ReplicaFollower* replica = nullptr, ClusterNode* cluster = nullptr)
      : store_(store),
        auth_(auth),
        metrics_(metrics),
        list_pages_(list_page_cache_bytes),
        replica_(replica),
        cluster_(cluster) {}

  // Answers `request` through `respond`, exactly once. Never throws. Returns the route the
  // request matched and the token it was authenticated with.
  HandledRequest Handle(const HttpRequest& request, Responder respond);

  // The API tokens now, or null while the store is not ready (its tokens are being loaded);
  // the server closes the connections of a token once it is revoked.
  std::shared_ptr<const TokenTable> tokens() const {
    return store_.ready() ? store_.tokens_locked() : nullptr;
  }

  // From now on /readyz answers 503 (the server is draining), and work that blocks (a
  // checkpoint) is refused; what was queued is answered before this returns.
  void BeginShutdown() {
    shutting_down_.store(true, std::memory_order_release);
    background_.Stop();
  }

 private:
  // Sets `token_index` to the position of the token that authenticated the request.
  void Dispatch(const HttpRequest& request, const RequestTarget& target, const RouteMatch& match,
                Responder respond, std::int64_t& token_index);
  void HandleReady(const Responder& respond) const;

  FlagStore& store_;
  const AuthMode auth_;
  const Metrics* const metrics_;
  ListPageCache list_pages_;
  ReplicaFollower* const replica_;
  ClusterNode* const cluster_;
  std::atomic<bool> shutting_down_{false};
  BackgroundWork background_;  // last: its tasks use the members above
};

}  // namespace flagledger

// Prometheus metrics (text exposition format 0.0.4) at /metrics: requests by route, method
// and status, request durations, the writer's batches and appends, connections and streams,
// and the projection's size. Updates are relaxed atomics: no lock on the request path.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/histogram.h"
#include "http/router.h"
#include "projections/flag_store.h"

namespace flagledger {

class Metrics {
 public:
  Metrics();

  // One answered request; `route` is nullopt when no route matched.
  void ObserveRequest(std::optional<Route> route, std::string_view method, int status,
                      std::chrono::steady_clock::duration duration);
  void ConnectionOpened() { connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { connections_.fetch_sub(1, std::memory_order_relaxed); }
  void StreamOpened() { streams_.fetch_add(1, std::memory_order_relaxed); }
  void StreamClosed() { streams_.fetch_sub(1, std::memory_order_relaxed); }

  // Everything, with the store's figures read now and the bytes the Api's list page cache
  // keeps.
  std::string Render(const FlagStore& store, std::size_t list_page_cache_bytes) const;
  // The request counters and durations alone.
  std::string RenderRequests() const;

 private:
  void RenderStore(std::string& out, const FlagStore& store,
                   std::size_t list_page_cache_bytes) const;
  static constexpr std::size_t kRouteSlots = kRouteCount + 1;  // the last: no route matched
  static constexpr std::array<std::string_view, 7> kMethods = {"GET",   "HEAD",   "POST", "PUT",
                                                               "PATCH", "DELETE", "OTHER"};
  static constexpr std::array<int, 17> kStatuses = {200, 201, 204, 304, 400, 401, 403, 404, 405,
                                                    409, 412, 413, 415, 422, 429, 500, 503};
  static constexpr std::size_t kStatusSlots =
      kStatuses.size() + 1;  // the last slot: any other status

  std::array<std::atomic<std::uint64_t>, kRouteSlots * kMethods.size() * kStatusSlots> requests_{};
  std::array<std::optional<Histogram>, kRouteSlots> durations_;
  std::atomic<std::int64_t> connections_{0}, streams_{0};
};

}  // namespace flagledger

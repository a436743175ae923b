#include "http/metrics.h"

#include <cstdio>

#include "core/build_info.h"
#include "http/prometheus_text.h"
#include "http/system_metrics.h"

namespace flagledger {
namespace {

constexpr double kDurationBounds[] = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                      0.01,    0.025,  0.05,    0.1,    0.25,  1,      5};

std::string_view RouteLabel(std::size_t route) {
  return route < kRouteCount ? kRoutes[route].path_template : "unmatched";
}

}  // namespace

Metrics::Metrics() {
  for (auto& histogram : durations_) histogram.emplace(kDurationBounds);
}

void Metrics::ObserveRequest(std::optional<Route> route, std::string_view method, int status,
                             std::chrono::steady_clock::duration duration) {
  std::size_t route_slot = route ? static_cast<std::size_t>(*route) : kRouteCount;
  std::size_t method_slot = kMethods.size() - 1;
  for (std::size_t i = 0; i + 1 < kMethods.size(); ++i) {
    if (kMethods[i] == method) method_slot = i;
  }
  std::size_t status_slot = kStatusSlots - 1;
  for (std::size_t i = 0; i < kStatusSlots - 1; ++i) {
    if (kStatuses[i] == status) status_slot = i;
  }
  std::size_t index = (route_slot * kMethods.size() + method_slot) * kStatusSlots + status_slot;
  requests_[index].fetch_add(1, std::memory_order_relaxed);
  durations_[route_slot]->Observe(std::chrono::duration<double>(duration).count());
}

std::string Metrics::Render(const FlagStore& store, std::size_t list_page_cache_bytes) const {
  std::string out = RenderRequests();
  Header(out, "flagledger_build_info", "gauge",
         "Always 1; the labels name the running build's version and commit.");
  // Neither value has a character the exposition format escapes (core/build_info.h).
  Sample(
      out, "flagledger_build_info",
      "version=\"" + std::string(kBuildVersion) + "\",commit=\"" + std::string(kBuildCommit) + "\"",
      1);
  RenderStore(out, store, list_page_cache_bytes);
  AppendSystemMetrics(out, store);
  return out;
}

std::string Metrics::RenderRequests() const {
  std::string out;
  out.reserve(std::size_t{16} * 1024);
  Header(out, "flagledger_http_requests_total", "counter",
         "HTTP requests answered, by route template, method and status.");
  for (std::size_t route = 0; route < kRouteSlots; ++route) {
    for (std::size_t method = 0; method < kMethods.size(); ++method) {
      for (std::size_t status = 0; status < kStatusSlots; ++status) {
        std::uint64_t count =
            requests_[(route * kMethods.size() + method) * kStatusSlots + status].load(
                std::memory_order_relaxed);
        if (count == 0) continue;
        std::string labels =
            "route=\"" + std::string(RouteLabel(route)) + "\",method=\"" +
            std::string(kMethods[method]) + "\",status=\"" +
            (status < kStatusSlots - 1 ? std::to_string(kStatuses[status]) : "other") + "\"";
        Sample(out, "flagledger_http_requests_total", labels, static_cast<double>(count));
      }
    }
  }
  Header(out, "flagledger_http_request_duration_seconds", "histogram",
         "Time from a parsed request to its answer written, by route template.");
  for (std::size_t route = 0; route < kRouteSlots; ++route) {
    const Histogram& histogram = *durations_[route];
    std::uint64_t total = 0;
    for (std::size_t i = 0; i <= histogram.upper_bounds().size(); ++i)
      total += histogram.count_in(i);
    if (total == 0) continue;
    AppendHistogram(out, "flagledger_http_request_duration_seconds",
                    "route=\"" + std::string(RouteLabel(route)) + "\"", histogram);
  }
  return out;
}

void Metrics::RenderStore(std::string& out, const FlagStore& store,
                          std::size_t list_page_cache_bytes) const {
  WriterStats stats = store.stats();
  Header(out, "flagledger_events_appended_total", "counter",
         "Events appended to the log since start.");
  Sample(out, "flagledger_events_appended_total", "", static_cast<double>(stats.events));
  Header(out, "flagledger_write_batches_total", "counter",
         "Appends to the log (one RocksDB WriteBatch and WAL sync each) since start.");
  Sample(out, "flagledger_write_batches_total", "", static_cast<double>(stats.batches));
  Header(out, "flagledger_log_sequence", "gauge", "The newest sequence in the event log.");
  Sample(out, "flagledger_log_sequence", "", static_cast<double>(store.log().last_sequence()));
  Header(out, "flagledger_write_batch_events", "histogram", "Events per appended write batch.");
  AppendHistogram(out, "flagledger_write_batch_events", "", store.batch_events());
  Header(out, "flagledger_wal_append_seconds", "histogram",
         "Time to append one write batch to the log, WAL sync included (with --durability fsync).");
  AppendHistogram(out, "flagledger_wal_append_seconds", "", store.append_seconds());
  Header(out, "flagledger_open_connections", "gauge", "Open HTTP connections.");
  Sample(out, "flagledger_open_connections", "",
         static_cast<double>(connections_.load(std::memory_order_relaxed)));
  Header(out, "flagledger_open_streams", "gauge", "Open Server-Sent Events change streams.");
  Sample(out, "flagledger_open_streams", "",
         static_cast<double>(streams_.load(std::memory_order_relaxed)));
  auto snapshot = store.snapshot();
  Header(out, "flagledger_flags", "gauge", "Live flags in the current projection.");
  Sample(out, "flagledger_flags", "", static_cast<double>(snapshot->FlagCount()));
  Header(out, "flagledger_organizations", "gauge", "Organizations with at least one live flag.");
  Sample(out, "flagledger_organizations", "", static_cast<double>(snapshot->organizations.size()));
  std::size_t active_tokens = 0;
  for (const ApiToken& token : store.tokens()->tokens()) active_tokens += token.active() ? 1 : 0;
  Header(out, "flagledger_api_tokens", "gauge", "Active (not revoked) API tokens.");
  Sample(out, "flagledger_api_tokens", "", static_cast<double>(active_tokens));
  Header(out, "flagledger_list_page_cache_bytes", "gauge",
         "Bytes of current list pages kept for the next reader (--page-cache-mb bounds them).");
  Sample(out, "flagledger_list_page_cache_bytes", "", static_cast<double>(list_page_cache_bytes));
}

}  // namespace flagledger

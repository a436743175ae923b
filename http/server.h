// The asynchronous HTTP/1.1 server (Boost.Beast) in front of the Api.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/api.h"
#include "http/change_notifier.h"
#include "http/metrics.h"

namespace flagledger {

class Listener;

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port; see HttpServer::port()
  int threads = 0;            // 0: one per hardware thread
  // Linux: true (the default) runs the threads as SCHED_BATCH, so a thread woken by a request
  // does not preempt what runs on its CPU. Where clients share and saturate the CPUs, requests
  // then queue up and are served in batches instead of ping-ponging one at a time (more
  // throughput), at a somewhat longer tail; see bench/RESULTS.md. False keeps SCHED_OTHER.
  bool batch_scheduling = true;
  // A connection waits up to idle_timeout for the next request (its first one: up to
  // request_timeout); once a request has begun, its headers and body must arrive within
  // request_timeout, and its answer must be taken within request_timeout.
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds request_timeout{10};
  std::size_t header_limit = std::size_t{16} * 1024;  // over it the connection is closed
  std::size_t body_limit = std::size_t{64} * 1024;    // over it 413 payload_too_large
  // At the limit a new connection closes the longest-idle one, or is closed if none is idle.
  std::size_t max_connections = 1024;
  // Change streams (SSE): woken by `notifier` when the log grows; a comment line after
  // `heartbeat_interval` of silence. A stream whose frame is not taken within request_timeout
  // is closed (a client too slow to keep up). Without a notifier, streams look on each heartbeat.
  ChangeNotifier* notifier = nullptr;
  std::chrono::seconds heartbeat_interval{15};
  Metrics* metrics = nullptr;  // told of connections, streams and answered requests; may be null
  bool access_log = true;
};

// N threads sharing one io_context: a ready connection is served by whichever thread is
// free. Keep-alive. Limits and deadlines per ServerOptions.
// Lifecycle: Listen, Start, then Shutdown (from a non-server thread).
class HttpServer {
 public:
  // REQUIRES: `api` outlives the server.
  HttpServer(const ServerOptions& options, Api& api);
  ~HttpServer();  // Shutdown()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens. kUnavailable when the address cannot be used.
  Status Listen();
  // The bound port, once Listen succeeded.
  std::uint16_t port() const;
  // Starts accepting on the server's threads; returns at once.
  void Start();
  // Stops accepting, closes idle connections, lets requests in flight finish (each answered
  // with Connection: close) for up to `grace`, then stops the threads. Idempotent.
  void Shutdown(std::chrono::seconds grace = std::chrono::seconds(10));

 private:
  std::unique_ptr<Listener> listener_;
};

}  // namespace flagledger

// The asynchronous HTTP/1.1 server (Boost.Beast) in front of the Api.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/api.h"

namespace flagledger {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port; see HttpServer::port()
  int threads = 0;            // 0: one per hardware thread
  std::chrono::seconds idle_timeout{60};     // keep-alive connection without a request
  std::chrono::seconds request_timeout{30};  // for a request's header and body to arrive
  std::size_t header_limit = 16 * 1024;
  bool access_log = true;
};

// N threads, each with its own io_context; connections are dealt to them round-robin and
// stay on one thread. Keep-alive. Bodies over 64 KiB get
// 413 payload_too_large. Lifecycle: Listen, Start, then Shutdown (from a non-server thread).
class HttpServer {
 public:
  // REQUIRES: `api` outlives the server.
  HttpServer(ServerOptions options, Api& api);
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

  struct Impl;  // defined in server.cc, where the sessions use it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace flagledger

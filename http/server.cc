#include "http/server.h"

#include <algorithm>
#include <thread>

#include "http/listener.h"

namespace flagledger {
namespace {

int ThreadCount(const ServerOptions& options) {
  int threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  return std::max(threads, 1);
}

}  // namespace

HttpServer::HttpServer(const ServerOptions& options, Api& api)
    : listener_(std::make_unique<Listener>(options, api, ThreadCount(options))) {}

HttpServer::~HttpServer() { Shutdown(std::chrono::seconds(0)); }

Status HttpServer::Listen() { return listener_->Listen(); }

std::uint16_t HttpServer::port() const { return listener_->port(); }

void HttpServer::Start() { listener_->Start(); }

void HttpServer::Shutdown(std::chrono::seconds grace) { listener_->Shutdown(grace); }

}  // namespace flagledger

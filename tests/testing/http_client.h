// A blocking HTTP/1.1 client for integration tests (Beast, in its own translation unit).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace flagledger {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;

  // The header's value, or "" when absent. `name` is matched case-insensitively.
  std::string Header(const std::string& name) const;
  bool HasHeader(const std::string& name) const;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One keep-alive connection to 127.0.0.1:port, opened on first use and reopened when the
// server closes it. Throws std::runtime_error when the server cannot be reached.
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port);
  // Each request gives up after `timeout` (throwing), and is not retried: for clients of a
  // server that may be paused or killed.
  HttpClient(std::uint16_t port, std::chrono::milliseconds timeout);
  ~HttpClient();

  // Sends a request; a non-empty body without a Content-Type header in `headers` is sent as
  // application/json.
  HttpResult Send(const std::string& method, const std::string& target,
                  const std::string& body = "", const HeaderList& headers = {});

  // Writes `bytes` on a fresh connection and returns everything the server sends until it
  // closes the connection or `timeout_ms` passes.
  std::string SendRaw(const std::string& bytes, int timeout_ms = 2000);

 private:
  struct Connection;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_{0};  // 0: none, and a failed request is retried once
  std::unique_ptr<Connection> connection_;
};

}  // namespace flagledger

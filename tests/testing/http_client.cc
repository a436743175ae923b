#include "tests/testing/http_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

namespace flagledger {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

std::string HttpResult::Header(const std::string& name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? "" : it->second;
}

bool HttpResult::HasHeader(const std::string& name) const { return headers.count(Lower(name)) > 0; }

struct HttpClient::Connection {
  net::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
};

HttpClient::HttpClient(std::uint16_t port) : port_(port) {}
HttpClient::HttpClient(std::uint16_t port, std::chrono::milliseconds timeout)
    : port_(port), timeout_(timeout) {}
HttpClient::~HttpClient() = default;

HttpResult HttpClient::Send(const std::string& method, const std::string& target,
                            const std::string& body, const HeaderList& headers) {
  http::request<http::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(http::field::host, "127.0.0.1");
  bool has_content_type = false;
  for (const auto& [name, value] : headers) {
    request.set(name, value);
    has_content_type = has_content_type || Lower(name) == "content-type";
  }
  if (!body.empty() && !has_content_type)
    request.set(http::field::content_type, "application/json");
  request.body() = body;
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    request.prepare_payload();
  }

  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      if (!connection_) {
        connection_ = std::make_unique<Connection>();
        connection_->stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
        if (timeout_.count() > 0) {
          // Beast's synchronous calls ignore expires_after: the socket's own timeouts do.
          timeval limit{static_cast<time_t>(timeout_.count() / 1000),
                        static_cast<suseconds_t>(timeout_.count() % 1000 * 1000)};
          int fd = connection_->stream.socket().native_handle();
          setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
          setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
        }
      }
      connection_->stream.expires_after(std::chrono::seconds(30));
      http::write(connection_->stream, request);
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      if (method == "HEAD") parser.skip(true);
      http::read(connection_->stream, connection_->buffer, parser);
      auto& response = parser.get();
      HttpResult result;
      result.status = static_cast<int>(response.result_int());
      for (const auto& field : response) {
        result.headers[Lower(std::string(field.name_string()))] = std::string(field.value());
      }
      result.body = response.body();
      if (!response.keep_alive()) connection_.reset();
      return result;
    } catch (const beast::system_error& error) {
      connection_.reset();  // a stale keep-alive connection: retry once on a new one
      if (attempt == 1 || timeout_.count() > 0)
        throw std::runtime_error(std::string("HTTP request failed: ") + error.what());
    }
  }
  throw std::runtime_error("unreachable");
}

std::string HttpClient::SendRaw(const std::string& bytes, int timeout_ms) {
  Connection connection;
  connection.stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
  // Blocking calls ignore the stream's timer, so each read waits in poll() for the rest.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int fd = connection.stream.socket().native_handle();
  beast::error_code error;
  net::write(connection.stream, net::buffer(bytes), error);
  std::string received;
  char chunk[4096];
  while (!error) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd readable{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&readable, 1, static_cast<int>(left.count())) <= 0) break;
    std::size_t n = connection.stream.read_some(net::buffer(chunk), error);
    received.append(chunk, n);
  }
  return received;
}

}  // namespace flagledger

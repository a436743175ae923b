#include "events/etcd_client.h"

#include <simdjson.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <cstdio>

#include "core/json_writer.h"
#include "events/base64.h"

namespace flagledger {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::chrono::milliseconds kCancelPoll{100};
constexpr std::chrono::seconds kCampaignWait{30};

struct HostPort {
  std::string host;
  std::string port;
};

std::optional<HostPort> ParseEndpoint(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  url.remove_prefix(kScheme.size());
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  std::size_t colon = url.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == url.size()) return std::nullopt;
  return HostPort{std::string(url.substr(0, colon)), std::string(url.substr(colon + 1))};
}

void AppendBase64(std::string& out, std::string_view bytes) {
  out += '"';
  out += EncodeBase64(bytes);
  out += '"';
}

void AppendInt64String(std::string& out, std::int64_t value) {
  out += '"';
  out += std::to_string(value);
  out += '"';
}

Status Malformed(std::string_view what) {
  return Status(ErrorCode::kInternal, "etcd answered something unexpected: " + std::string(what));
}

// proto3's JSON: a 64-bit integer is a string, and a field at its default value is left out.
template <typename Integer>
Integer IntegerOf(simdjson::dom::element element, std::string_view field) {
  simdjson::dom::element value;
  if (element[field].get(value) != simdjson::SUCCESS) return 0;
  Integer number = 0;
  if (value.is_string()) {
    std::string_view text = value.get_string().value_unsafe();
    std::from_chars(text.data(), text.data() + text.size(), number);
  } else if (value.get(number) != simdjson::SUCCESS) {
    number = 0;
  }
  return number;
}

std::int64_t Int64Of(simdjson::dom::element element, std::string_view field) {
  return IntegerOf<std::int64_t>(element, field);
}

std::uint64_t Uint64Of(simdjson::dom::element element, std::string_view field) {
  return IntegerOf<std::uint64_t>(element, field);
}

bool BoolOf(simdjson::dom::element element, std::string_view field) {
  bool value = false;
  return element[field].get(value) == simdjson::SUCCESS && value;
}

// A base64 field, decoded ("" when absent).
Result<std::string> BytesOf(simdjson::dom::element element, std::string_view field) {
  std::string_view text;
  if (element[field].get(text) != simdjson::SUCCESS) return std::string();
  auto bytes = DecodeBase64(text);
  if (!bytes) return Malformed(std::string(field) + " is not base64");
  return std::move(*bytes);
}

Result<EtcdKeyValue> KeyValueOf(simdjson::dom::element element) {
  EtcdKeyValue kv;
  auto key = BytesOf(element, "key");
  if (!key.ok()) return key.status();
  auto value = BytesOf(element, "value");
  if (!value.ok()) return value.status();
  kv.key = std::move(*key);
  kv.value = std::move(*value);
  kv.create_revision = Int64Of(element, "create_revision");
  kv.mod_revision = Int64Of(element, "mod_revision");
  kv.version = Int64Of(element, "version");
  kv.lease = Int64Of(element, "lease");
  return kv;
}

Result<std::vector<EtcdKeyValue>> KeyValuesOf(simdjson::dom::element element) {
  std::vector<EtcdKeyValue> kvs;
  simdjson::dom::array array;
  if (element["kvs"].get(array) != simdjson::SUCCESS) return kvs;
  for (simdjson::dom::element item : array) {
    auto kv = KeyValueOf(item);
    if (!kv.ok()) return kv.status();
    kvs.push_back(std::move(*kv));
  }
  return kvs;
}

std::int64_t RevisionOf(simdjson::dom::element element) {
  simdjson::dom::element header;
  if (element["header"].get(header) != simdjson::SUCCESS) return 0;
  return Int64Of(header, "revision");
}

std::string_view CompareTarget(EtcdCompare::Target target) {
  switch (target) {
    case EtcdCompare::Target::kCreateRevision:
      return "CREATE";
    case EtcdCompare::Target::kModRevision:
      return "MOD";
    case EtcdCompare::Target::kValue:
      return "VALUE";
  }
  return "MOD";
}

// Parses `body` with the client's parser; the element lives until the next parse.
Result<simdjson::dom::element> Parse(simdjson::dom::parser& parser, const std::string& body) {
  simdjson::dom::element root;
  if (parser.parse(body).get(root) != simdjson::SUCCESS || !root.is_object()) {
    return Malformed("not a JSON object: " + body.substr(0, 200));
  }
  return root;
}

}  // namespace

struct EtcdClient::Connection {
  net::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  simdjson::dom::parser parser;
  bool open = false;
};

EtcdClient::EtcdClient(std::vector<std::string> endpoints, std::chrono::milliseconds timeout,
                       const std::atomic<bool>* cancel)
    : endpoints_(std::move(endpoints)),
      timeout_(timeout),
      cancel_(cancel),
      connection_(std::make_unique<Connection>()) {}

EtcdClient::~EtcdClient() = default;

const std::string& EtcdClient::endpoint() const { return endpoints_[current_]; }

namespace {

// Runs the io_context until `done`, closing the stream when `cancel` is set.
template <typename Done>
void RunUntil(net::io_context& io, beast::tcp_stream& stream, const std::atomic<bool>* cancel,
              const Done& done) {
  io.restart();
  while (!done()) {
    io.run_for(kCancelPoll);
    if (cancel && cancel->load(std::memory_order_acquire) && !done()) {
      stream.cancel();
      io.restart();
      io.run();
    }
  }
}

// Connects `stream` to `url` within `timeout`: kValidationFailed for a URL that is not
// http://HOST:PORT, kUnavailable naming the member when it cannot be reached.
Status Connect(net::io_context& io, beast::tcp_stream& stream, const std::atomic<bool>* cancel,
               const std::string& url, std::chrono::milliseconds timeout) {
  auto address = ParseEndpoint(url);
  if (!address) {
    return Status(ErrorCode::kValidationFailed,
                  "an etcd endpoint must be http://HOST:PORT, not '" + url + "'");
  }
  beast::error_code error;
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(address->host, address->port, error);
  if (!error) {
    bool done = false;
    stream.expires_after(timeout);
    stream.async_connect(endpoints, [&](const beast::error_code& e, const tcp::endpoint&) {
      error = e;
      done = true;
    });
    RunUntil(io, stream, cancel, [&] { return done; });
  }
  if (error) {
    return Status(ErrorCode::kUnavailable,
                  "etcd at " + url + ": cannot connect: " + error.message());
  }
  stream.socket().set_option(tcp::no_delay(true), error);
  return Status::Ok();
}

// POSTs `body` (JSON) to `path` on `stream`'s member at `url`, within `timeout`.
beast::error_code Send(net::io_context& io, beast::tcp_stream& stream,
                       const std::atomic<bool>* cancel, const std::string& url,
                       std::string_view path, std::string body, std::chrono::milliseconds timeout) {
  http::request<http::string_body> request(http::verb::post, std::string(path), 11);
  request.set(http::field::host, url.substr(7));
  request.set(http::field::content_type, "application/json");
  request.body() = std::move(body);
  request.prepare_payload();
  beast::error_code error;
  bool done = false;
  stream.expires_after(timeout);
  http::async_write(stream, request, [&](const beast::error_code& e, std::size_t) {
    error = e;
    done = true;
  });
  RunUntil(io, stream, cancel, [&] { return done; });
  return error;
}

}  // namespace

Result<std::string> EtcdClient::Call(std::string_view path, const std::string& body) {
  if (endpoints_.empty()) return Status(ErrorCode::kUnavailable, "no etcd endpoint is configured");
  Connection& c = *connection_;
  const std::string& url = endpoints_[current_];
  auto failed = [&](std::string_view what, const beast::error_code& error) -> Status {
    beast::error_code ignored;
    c.stream.socket().close(ignored);
    c.open = false;
    c.buffer.clear();
    current_ = (current_ + 1) % endpoints_.size();
    return Status(ErrorCode::kUnavailable,
                  "etcd at " + url + ": " + std::string(what) + ": " + error.message());
  };
  beast::error_code error;
  bool done = false;
  // A campaign waits for the election; it is bounded all the same, so that a member lost
  // without a word (no FIN, no RST) does not hold a candidate forever.
  const bool blocking = path == "/v3/election/campaign";
  const auto wait = blocking ? std::chrono::milliseconds(kCampaignWait) : timeout_;
  if (!c.open) {
    Status connected = Connect(c.io, c.stream, cancel_, url, timeout_);
    if (!connected.ok()) {
      if (connected.code() == ErrorCode::kUnavailable)
        current_ = (current_ + 1) % endpoints_.size();
      return connected;
    }
    c.open = true;
  }
  error = Send(c.io, c.stream, cancel_, url, path, body, wait);
  if (error) return failed("cannot send a request", error);
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::size_t{128} << 20);
  c.stream.expires_after(wait);
  http::async_read(c.stream, c.buffer, parser, [&](const beast::error_code& e, std::size_t) {
    error = e;
    done = true;
  });
  RunUntil(c.io, c.stream, cancel_, [&] { return done; });
  if (error) return failed("no answer", error);
  auto& response = parser.get();
  if (!response.keep_alive()) {
    beast::error_code ignored;
    c.stream.socket().close(ignored);
    c.open = false;
  }
  if (response.result() != http::status::ok) {
    std::string message = response.body();
    auto root = Parse(c.parser, response.body());
    if (root.ok()) {
      std::string_view text;
      if ((*root)["message"].get(text) == simdjson::SUCCESS ||
          (*root)["error"].get(text) == simdjson::SUCCESS) {
        message = std::string(text);
      }
    }
    // Unavailable while etcd has no leader or a member is stopping: another member may do.
    ErrorCode code = response.result_int() >= 500 && message.find("lease") == std::string::npos
                         ? ErrorCode::kUnavailable
                         : ErrorCode::kInvalidQuery;
    if (code == ErrorCode::kUnavailable) {
      current_ = (current_ + 1) % endpoints_.size();
    }
    return Status(code, "etcd at " + url + " refused " + std::string(path) + ": " + message);
  }
  return std::move(response.body());
}

Result<simdjson::dom::element> EtcdClient::CallJson(std::string_view path,
                                                    const std::string& body) {
  auto answer = Call(path, body);
  if (!answer.ok()) return answer.status();
  return Parse(connection_->parser, *answer);
}

Result<EtcdRangeResult> EtcdClient::Range(std::string_view key, std::string_view range_end,
                                          std::int64_t limit) {
  std::string body = R"({"key":)";
  AppendBase64(body, key);
  if (!range_end.empty()) {
    body += R"(,"range_end":)";
    AppendBase64(body, range_end);
  }
  if (limit > 0) {
    body += R"(,"limit":)";
    AppendInt64String(body, limit);
  }
  body += '}';
  auto root = CallJson("/v3/kv/range", body);
  if (!root.ok()) return root.status();
  EtcdRangeResult result;
  result.revision = RevisionOf(*root);
  result.more = BoolOf(*root, "more");
  auto kvs = KeyValuesOf(*root);
  if (!kvs.ok()) return kvs.status();
  result.kvs = std::move(*kvs);
  return result;
}

namespace {

void AppendPut(std::string& body, const EtcdPut& put) {
  body += R"({"key":)";
  AppendBase64(body, put.key);
  body += R"(,"value":)";
  AppendBase64(body, put.value);
  if (put.lease != 0) {
    body += R"(,"lease":)";
    AppendInt64String(body, put.lease);
  }
  body += '}';
}

}  // namespace

Result<std::int64_t> EtcdClient::Put(const EtcdPut& put) {
  std::string body;
  AppendPut(body, put);
  auto root = CallJson("/v3/kv/put", body);
  if (!root.ok()) return root.status();
  return RevisionOf(*root);
}

Result<std::int64_t> EtcdClient::DeleteRange(std::string_view key, std::string_view range_end) {
  std::string body = R"({"key":)";
  AppendBase64(body, key);
  if (!range_end.empty()) {
    body += R"(,"range_end":)";
    AppendBase64(body, range_end);
  }
  body += '}';
  auto root = CallJson("/v3/kv/deleterange", body);
  if (!root.ok()) return root.status();
  return Int64Of(*root, "deleted");
}

Result<EtcdTxnResult> EtcdClient::Txn(const EtcdTxn& txn) {
  std::string body = R"({"compare":[)";
  for (std::size_t i = 0; i < txn.compare.size(); ++i) {
    const EtcdCompare& compare = txn.compare[i];
    if (i > 0) body += ',';
    body += R"({"key":)";
    AppendBase64(body, compare.key);
    body += R"(,"target":")";
    body += CompareTarget(compare.target);
    body += R"(","result":"EQUAL",)";
    switch (compare.target) {
      case EtcdCompare::Target::kCreateRevision:
        body += R"("create_revision":)";
        AppendInt64String(body, compare.revision);
        break;
      case EtcdCompare::Target::kModRevision:
        body += R"("mod_revision":)";
        AppendInt64String(body, compare.revision);
        break;
      case EtcdCompare::Target::kValue:
        body += R"("value":)";
        AppendBase64(body, compare.value);
        break;
    }
    body += '}';
  }
  body += R"(],"success":[)";
  for (std::size_t i = 0; i < txn.success_puts.size(); ++i) {
    if (i > 0) body += ',';
    body += R"({"request_put":)";
    AppendPut(body, txn.success_puts[i]);
    body += '}';
  }
  body += R"(],"failure":[)";
  for (std::size_t i = 0; i < txn.failure_gets.size(); ++i) {
    if (i > 0) body += ',';
    body += R"({"request_range":{"key":)";
    AppendBase64(body, txn.failure_gets[i]);
    body += "}}";
  }
  body += "]}";
  auto root = CallJson("/v3/kv/txn", body);
  if (!root.ok()) return root.status();
  EtcdTxnResult result;
  result.revision = RevisionOf(*root);
  result.succeeded = BoolOf(*root, "succeeded");
  if (result.succeeded) return result;
  simdjson::dom::array responses;
  if ((*root)["responses"].get(responses) != simdjson::SUCCESS) {
    if (!txn.failure_gets.empty()) return Malformed("a failed transaction without its reads");
    return result;
  }
  for (simdjson::dom::element response : responses) {
    simdjson::dom::element range;
    if (response["response_range"].get(range) != simdjson::SUCCESS) {
      return Malformed("a transaction's read without a range");
    }
    auto kvs = KeyValuesOf(range);
    if (!kvs.ok()) return kvs.status();
    if (kvs->empty()) {
      result.failure_values.emplace_back();
    } else {
      result.failure_values.emplace_back(std::move(kvs->front()));
    }
  }
  if (result.failure_values.size() != txn.failure_gets.size()) {
    return Malformed("a failed transaction answered another number of reads");
  }
  return result;
}

Status EtcdClient::Compact(std::int64_t revision) {
  std::string body = R"({"revision":)";
  AppendInt64String(body, revision);
  body += '}';
  auto answer = Call("/v3/kv/compaction", body);
  return answer.ok() ? Status::Ok() : answer.status();
}

Result<EtcdLease> EtcdClient::LeaseGrant(std::int64_t ttl_seconds) {
  std::string body = R"({"TTL":)";
  AppendInt64String(body, ttl_seconds);
  body += '}';
  auto root = CallJson("/v3/lease/grant", body);
  if (!root.ok()) return root.status();
  EtcdLease lease{Int64Of(*root, "ID"), Int64Of(*root, "TTL")};
  if (lease.id == 0) return Malformed("a lease without an ID");
  return lease;
}

Result<std::int64_t> EtcdClient::LeaseKeepAlive(std::int64_t lease) {
  std::string body = R"({"ID":)";
  AppendInt64String(body, lease);
  body += '}';
  auto root = CallJson("/v3/lease/keepalive", body);
  if (!root.ok()) return root.status();
  simdjson::dom::element result;
  if ((*root)["result"].get(result) != simdjson::SUCCESS) {
    return Malformed("a keep-alive without a result");
  }
  return Int64Of(result, "TTL");
}

Status EtcdClient::LeaseRevoke(std::int64_t lease) {
  std::string body = R"({"ID":)";
  AppendInt64String(body, lease);
  body += '}';
  auto answer = Call("/v3/lease/revoke", body);
  return answer.ok() ? Status::Ok() : answer.status();
}

Result<EtcdLeaderKey> EtcdClient::Campaign(std::string_view name, std::int64_t lease,
                                           std::string_view value) {
  std::string body = R"({"name":)";
  AppendBase64(body, name);
  body += R"(,"lease":)";
  AppendInt64String(body, lease);
  body += R"(,"value":)";
  AppendBase64(body, value);
  body += '}';
  auto root = CallJson("/v3/election/campaign", body);
  if (!root.ok()) return root.status();
  simdjson::dom::element leader;
  if ((*root)["leader"].get(leader) != simdjson::SUCCESS) {
    return Malformed("a campaign without its leader key");
  }
  EtcdLeaderKey key;
  auto leader_name = BytesOf(leader, "name");
  auto leader_key = BytesOf(leader, "key");
  if (!leader_name.ok()) return leader_name.status();
  if (!leader_key.ok()) return leader_key.status();
  key.name = std::move(*leader_name);
  key.key = std::move(*leader_key);
  key.revision = Int64Of(leader, "rev");
  key.lease = Int64Of(leader, "lease");
  if (key.key.empty() || key.revision == 0) return Malformed("an empty leader key");
  return key;
}

Result<std::optional<EtcdKeyValue>> EtcdClient::Leader(std::string_view name) {
  std::string body = R"({"name":)";
  AppendBase64(body, name);
  body += '}';
  auto answer = Call("/v3/election/leader", body);
  if (!answer.ok()) {
    // "election: no leader" is an answer, not a failure.
    if (answer.status().detail().find("election: no leader") != std::string::npos) {
      return std::optional<EtcdKeyValue>();
    }
    return answer.status();
  }
  auto root = Parse(connection_->parser, *answer);
  if (!root.ok()) return root.status();
  simdjson::dom::element kv;
  if ((*root)["kv"].get(kv) != simdjson::SUCCESS) return std::optional<EtcdKeyValue>();
  auto parsed = KeyValueOf(kv);
  if (!parsed.ok()) return parsed.status();
  return std::optional<EtcdKeyValue>(std::move(*parsed));
}

Status EtcdClient::Resign(const EtcdLeaderKey& leader) {
  std::string body = R"({"leader":{"name":)";
  AppendBase64(body, leader.name);
  body += R"(,"key":)";
  AppendBase64(body, leader.key);
  body += R"(,"rev":)";
  AppendInt64String(body, leader.revision);
  body += R"(,"lease":)";
  AppendInt64String(body, leader.lease);
  body += "}}";
  auto answer = Call("/v3/election/resign", body);
  return answer.ok() ? Status::Ok() : answer.status();
}

Result<std::vector<EtcdClient::Alarm>> EtcdClient::Alarms() {
  auto root = CallJson("/v3/maintenance/alarm", R"({"action":"GET"})");
  if (!root.ok()) return root.status();
  std::vector<Alarm> alarms;
  simdjson::dom::array array;
  if ((*root)["alarms"].get(array) != simdjson::SUCCESS) return alarms;
  for (simdjson::dom::element item : array) {
    Alarm alarm;
    alarm.member_id = Uint64Of(item, "memberID");
    std::string_view name;
    alarm.alarm = item["alarm"].get(name) == simdjson::SUCCESS ? std::string(name) : "NONE";
    alarms.push_back(std::move(alarm));
  }
  return alarms;
}

Result<std::vector<EtcdMemberStatus>> EtcdClient::MemberStatuses() {
  std::vector<EtcdMemberStatus> statuses;
  Status last;
  const std::size_t start = current_;
  for (std::size_t i = 0; i < endpoints_.size(); ++i) {
    current_ = (start + i) % endpoints_.size();
    if (connection_->open) {
      beast::error_code ignored;
      connection_->stream.socket().close(ignored);
      connection_->open = false;
    }
    const std::string url = endpoints_[current_];
    auto root = CallJson("/v3/maintenance/status", "{}");
    if (!root.ok()) {
      last = root.status();
      continue;
    }
    EtcdMemberStatus status;
    status.endpoint = url;
    simdjson::dom::element header;
    if ((*root)["header"].get(header) == simdjson::SUCCESS) {
      status.member_id = Uint64Of(header, "member_id");
      status.revision = Int64Of(header, "revision");
    }
    status.leader_id = Uint64Of(*root, "leader");
    status.db_size = Int64Of(*root, "dbSize");
    status.db_size_in_use = Int64Of(*root, "dbSizeInUse");
    std::string_view version;
    if ((*root)["version"].get(version) == simdjson::SUCCESS) status.version = version;
    statuses.push_back(std::move(status));
  }
  if (statuses.empty()) return last;
  return statuses;
}

Status EtcdClient::Watch(std::string_view key, std::string_view range_end,
                         std::int64_t start_revision, std::chrono::milliseconds idle,
                         const std::function<bool(const EtcdWatchResponse&)>& on_response) {
  if (endpoints_.empty()) return Status(ErrorCode::kUnavailable, "no etcd endpoint is configured");
  // A stream of its own: the request's connection is not reusable until the stream ends.
  const std::string url = endpoints_[current_];
  Connection c;
  beast::error_code error;
  bool done = false;
  auto failed = [&](std::string_view what) {
    current_ = (current_ + 1) % endpoints_.size();
    return Status(ErrorCode::kUnavailable,
                  "etcd at " + url + ": " + std::string(what) + ": " + error.message());
  };
  Status connected = Connect(c.io, c.stream, cancel_, url, timeout_);
  if (!connected.ok()) {
    if (connected.code() == ErrorCode::kUnavailable) current_ = (current_ + 1) % endpoints_.size();
    return connected;
  }
  std::string body = R"({"create_request":{"key":)";
  AppendBase64(body, key);
  if (!range_end.empty()) {
    body += R"(,"range_end":)";
    AppendBase64(body, range_end);
  }
  if (start_revision > 0) {
    body += R"(,"start_revision":)";
    AppendInt64String(body, start_revision);
  }
  body += "}}";
  error = Send(c.io, c.stream, cancel_, url, "/v3/watch", std::move(body), timeout_);
  if (error) return failed("cannot send the watch");

  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  done = false;
  c.stream.expires_after(timeout_);
  http::async_read_header(c.stream, c.buffer, parser, [&](const beast::error_code& e, std::size_t) {
    error = e;
    done = true;
  });
  RunUntil(c.io, c.stream, cancel_, [&] { return done; });
  if (error) return failed("no answer to the watch");
  if (parser.get().result() != http::status::ok) {
    return Status(ErrorCode::kUnavailable, "etcd at " + url + " refused the watch: " +
                                               std::to_string(parser.get().result_int()));
  }
  // The gateway writes one JSON message per line.
  std::string pending;
  std::vector<char> chunk(std::size_t{1} << 16);
  while (!parser.is_done()) {
    if (cancel_ && cancel_->load(std::memory_order_acquire)) return Status::Ok();
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    done = false;
    c.stream.expires_after(idle);
    // read_some: a message arrives as a chunk, and a whole read would wait for more.
    http::async_read_some(c.stream, c.buffer, parser, [&](const beast::error_code& e, std::size_t) {
      error = e;
      done = true;
    });
    RunUntil(c.io, c.stream, cancel_, [&] { return done; });
    if (error == http::error::need_buffer) error = {};
    if (error == beast::error::timeout) return Status::Ok();  // idle: the caller looks again
    if (error) {
      if (cancel_ && cancel_->load(std::memory_order_acquire)) return Status::Ok();
      return failed("the watch broke off");
    }
    pending.append(chunk.data(), chunk.size() - parser.get().body().size);
    std::size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
      auto root = Parse(c.parser, line);
      if (!root.ok()) return root.status();
      simdjson::dom::element result;
      if ((*root)["result"].get(result) != simdjson::SUCCESS) {
        std::string detail = "etcd at " + url + " ended the watch: ";
        detail += line;
        return Status(ErrorCode::kUnavailable, std::move(detail));
      }
      EtcdWatchResponse response;
      response.revision = RevisionOf(result);
      response.created = BoolOf(result, "created");
      response.canceled = BoolOf(result, "canceled");
      response.compact_revision = Int64Of(result, "compact_revision");
      simdjson::dom::array events;
      if (result["events"].get(events) == simdjson::SUCCESS) {
        for (simdjson::dom::element item : events) {
          EtcdWatchEvent event;
          std::string_view type;
          event.deleted = item["type"].get(type) == simdjson::SUCCESS && type == "DELETE";
          simdjson::dom::element kv;
          if (item["kv"].get(kv) == simdjson::SUCCESS) {
            auto parsed = KeyValueOf(kv);
            if (!parsed.ok()) return parsed.status();
            event.kv = std::move(*parsed);
          }
          response.events.push_back(std::move(event));
        }
      }
      if (!on_response(response)) return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace flagledger

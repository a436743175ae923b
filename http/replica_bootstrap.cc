#include "http/replica_bootstrap.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <cstring>
#include <filesystem>
#include <vector>

#include "http/leader_url.h"
#include "http/tar_archive.h"
#include "projections/file_io.h"

namespace flagledger {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using tcp = net::ip::tcp;

namespace {

constexpr std::string_view kStaging = ".bootstrap";

Status DiskError(const std::string& what) {
  return Status(ErrorCode::kInternal, what + ": " + std::strerror(errno));
}

// A directory synced, its failure a local disk error (kInternal), as the bootstrap reports one.
Status SyncPath(const fs::path& directory) {
  Status synced = SyncDirectory(directory.string());
  return synced.ok() ? synced : Status(ErrorCode::kInternal, synced.detail());
}

// Writes each member of the archive under the staging directory, synced.
class StagingSink : public TarReader::Sink {
 public:
  explicit StagingSink(fs::path root) : root_(std::move(root)) {}
  ~StagingSink() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Begin(std::string_view name, std::uint64_t size) override {
    if (!name.starts_with("log/") && !name.starts_with("snapshots/")) {
      return Status(ErrorCode::kValidationFailed, "the checkpoint holds '" + std::string(name) +
                                                      "', outside log/ and snapshots/");
    }
    fs::path path = root_ / std::string(name);
    std::error_code error;
    fs::create_directories(path.parent_path(), error);
    if (error) return Status(ErrorCode::kInternal, "cannot create " + path.parent_path().string());
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0) return DiskError("cannot create " + path.string());
    current_ = std::move(path);
    bytes_ += size;
    ++files_;
    return Status::Ok();
  }
  Status Write(std::string_view bytes) override {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return DiskError("cannot write " + current_.string());
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return Status::Ok();
  }
  Status End() override {
    bool synced = ::fsync(fd_) == 0;
    bool closed = ::close(fd_) == 0;
    fd_ = -1;
    if (!synced || !closed) return DiskError("cannot sync " + current_.string());
    return Status::Ok();
  }

  std::uint64_t bytes() const { return bytes_; }
  std::size_t files() const { return files_; }

 private:
  const fs::path root_;
  fs::path current_;
  int fd_ = -1;
  std::uint64_t bytes_ = 0;
  std::size_t files_ = 0;
};

// What an answer other than 200 means for the bootstrap.
Status RefusalOf(unsigned status, std::string_view body) {
  std::string detail = "the leader answered " + std::to_string(status) + " to GET " +
                       "/api/v1/replication/checkpoint: " + std::string(body.substr(0, 512));
  switch (status) {
    case 401:
      return Status(ErrorCode::kUnauthorized, detail);
    case 403:
      return Status(ErrorCode::kForbidden, detail);
    case 404:
      return Status(ErrorCode::kRouteNotFound, detail);
    default:
      return Status(
          status >= 500 || status == 429 ? ErrorCode::kUnavailable : ErrorCode::kValidationFailed,
          detail);
  }
}

// Moves the unpacked checkpoint into place: the log with one rename, last.
Status Install(const fs::path& data_dir, const fs::path& staging) {
  std::error_code error;
  fs::path snapshots = staging / "snapshots";
  if (fs::exists(snapshots)) {
    fs::create_directories(data_dir / "snapshots", error);
    for (const fs::directory_entry& entry : fs::directory_iterator(snapshots, error)) {
      fs::rename(entry.path(), data_dir / "snapshots" / entry.path().filename(), error);
      if (error) return Status(ErrorCode::kInternal, "cannot move " + entry.path().string());
    }
    if (Status synced = SyncPath(data_dir / "snapshots"); !synced.ok()) return synced;
  }
  if (Status synced = SyncPath(staging / "log"); !synced.ok()) return synced;
  // A log directory without CURRENT holds no log (an open that failed early): it goes.
  fs::remove_all(data_dir / "log", error);
  fs::rename(staging / "log", data_dir / "log", error);
  if (error)
    return Status(ErrorCode::kInternal, "cannot move the log into place: " + error.message());
  Status synced = SyncPath(data_dir);
  fs::remove_all(staging, error);
  return synced;
}

}  // namespace

bool NeedsBootstrap(const std::string& data_dir) {
  return !fs::exists(fs::path(data_dir) / "log" / "CURRENT");
}

Result<BootstrapSummary> BootstrapReplica(const std::string& leader_url, const std::string& token,
                                          const std::string& data_dir, std::chrono::seconds idle) {
  auto address = ParseLeaderUrl(leader_url);
  if (!address) {
    return Status(ErrorCode::kValidationFailed, "the leader's URL must be http://HOST:PORT");
  }
  fs::path staging = fs::path(data_dir) / std::string(kStaging);
  std::error_code ignored;
  fs::remove_all(staging, ignored);  // what an earlier try left
  fs::create_directories(staging, ignored);
  StagingSink sink(staging);
  TarReader reader(sink);
  BootstrapSummary summary;

  net::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code error;
  auto broken = [&](std::string_view what) {
    return Status(ErrorCode::kUnavailable,
                  std::string(what) + " " + leader_url + ": " + error.message());
  };
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(address->host, address->port, error);
  if (error) return broken("cannot resolve");
  stream.expires_after(idle);
  stream.connect(endpoints, error);
  if (error) return broken("cannot connect to");

  http::request<http::empty_body> request(http::verb::get, "/api/v1/replication/checkpoint", 11);
  request.set(http::field::host, address->host + ":" + address->port);
  request.set(http::field::user_agent, "flagledger-replica");
  if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
  stream.expires_after(idle);
  http::write(stream, request, error);
  if (error) return broken("cannot ask for the checkpoint of");

  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  stream.expires_after(idle);
  http::read_header(stream, buffer, parser, error);
  if (error) return broken("no answer to the checkpoint request from");
  std::vector<char> chunk(std::size_t{1} << 20);
  auto read_piece = [&]() -> std::string_view {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    stream.expires_after(idle);
    http::read(stream, buffer, parser, error);
    if (error == http::error::need_buffer) error = {};
    return std::string_view(chunk.data(), chunk.size() - parser.get().body().size);
  };
  const unsigned status = parser.get().result_int();
  if (status != 200) {
    std::string body;
    while (!parser.is_done() && body.size() < 4096) {
      std::string_view piece = read_piece();
      if (error) break;
      body.append(piece);
    }
    return RefusalOf(status, body);
  }
  summary.log_id = std::string(parser.get()["Flagledger-Log-Id"]);
  std::string_view sequence = parser.get()["Flagledger-Event-Sequence"];
  summary.leader_sequence = std::strtoull(std::string(sequence).c_str(), nullptr, 10);
  while (!parser.is_done()) {
    std::string_view piece = read_piece();
    if (error) return broken("the checkpoint broke off from");
    Status fed = reader.Feed(piece);
    if (!fed.ok()) return fed;
  }
  if (!reader.finished()) {
    return Status(ErrorCode::kUnavailable, "the checkpoint from " + leader_url + " ended early");
  }
  if (!fs::exists(staging / "log" / "CURRENT")) {
    return Status(ErrorCode::kValidationFailed, "the checkpoint holds no log (no log/CURRENT)");
  }
  summary.bytes = sink.bytes();
  summary.files = sink.files();
  if (Status installed = Install(data_dir, staging); !installed.ok()) return installed;
  return summary;
}

}  // namespace flagledger

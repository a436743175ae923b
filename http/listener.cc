#include "http/listener.h"

#include <pthread.h>
#include <sched.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/beast/core/error.hpp>
#include <cerrno>
#include <limits>

#include "http/access_log.h"
#include "http/session.h"

namespace flagledger {
namespace {

// Makes the calling thread SCHED_BATCH: woken, it waits for the running thread's slice instead
// of preempting it. Best effort; the policy needs no privilege.
void UseBatchScheduling() {
#ifdef SCHED_BATCH
  sched_param priority{};  // 0, the only priority SCHED_BATCH takes
  pthread_setschedparam(pthread_self(), SCHED_BATCH, &priority);
#endif
}

bool OutOfDescriptors(const boost::system::error_code& error) {
  return error == boost::system::errc::too_many_files_open ||
         error == boost::system::errc::too_many_files_open_in_system ||
         error == boost::system::errc::not_enough_memory ||
         error == boost::system::errc::no_buffer_space;
}

}  // namespace

Listener::Listener(ServerOptions options, Api& api, int threads)
    : options_(std::move(options)),
      api_(api),
      thread_count_(threads),
      context_(threads),
      keep_running_(context_.get_executor()),
      control_(net::make_strand(context_)),
      acceptor_(control_),
      sweep_timer_(control_),
      accept_retry_timer_(control_) {}

Status Listener::Listen() {
  boost::system::error_code error;
  auto address = net::ip::make_address(options_.address, error);
  if (error) {
    return Status(ErrorCode::kUnavailable, "invalid listen address '" + options_.address + "'");
  }
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), error);
  if (!error) acceptor_.set_option(net::socket_base::reuse_address(true), error);
  if (!error) acceptor_.bind(endpoint, error);
  if (!error) acceptor_.listen(net::socket_base::max_listen_connections, error);
  if (!error) return Status::Ok();
  return Status(ErrorCode::kUnavailable, "cannot listen on " + options_.address + ":" +
                                             std::to_string(options_.port) + ": " +
                                             error.message());
}

std::uint16_t Listener::port() const {
  boost::system::error_code error;
  return acceptor_.local_endpoint(error).port();
}

void Listener::Start() {
  net::dispatch(control_, [this] {
    Accept();
    Sweep();
  });
  bool batch = options_.batch_scheduling;
  for (int i = 0; i < thread_count_; ++i) {
    threads_.emplace_back([this, batch] {
      if (batch) UseBatchScheduling();
      context_.run();
    });
  }
}

void Listener::Accept() {
  acceptor_.async_accept(context_, [this](boost::system::error_code error, Socket socket) {
    if (error) {
      if (error == net::error::operation_aborted || !acceptor_.is_open()) return;  // stopping
      auto now = std::chrono::steady_clock::now();
      if (now - last_limit_warning_ > std::chrono::seconds(1)) {  // at most one line a second
        last_limit_warning_ = now;
        LogEvent("warn", "accept failed", "\"error\":\"" + error.message() + "\"");
      }
      if (OutOfDescriptors(error)) return AcceptLater();
    } else if (MakeRoom()) {
      std::make_shared<Session>(std::move(socket), *this)->Start();
    } else {
      boost::system::error_code ignored;
      socket.close(ignored);
    }
    Accept();
  });
}

void Listener::AcceptLater() {
  accept_retry_timer_.expires_after(kAcceptRetry);
  accept_retry_timer_.async_wait([this](boost::system::error_code error) {
    if (!error && acceptor_.is_open()) Accept();
  });
}

template <class Pick>
std::vector<std::shared_ptr<Connection>> Listener::Collect(Pick pick) {
  std::vector<std::shared_ptr<Connection>> picked;
  MutexLock lock(mutex_);
  for (auto& [connection, handle] : connections_) {
    if (!pick(*connection)) continue;
    if (auto held = handle.lock()) picked.push_back(std::move(held));
  }
  return picked;
}

void Listener::Sweep() {
  sweep_timer_.expires_after(kSweepInterval);
  sweep_timer_.async_wait([this](boost::system::error_code error) {
    if (error) return;
    std::int64_t now = Connection::NowTicks();
    auto late = Collect([now](const Connection& connection) {
      std::int64_t deadline = connection.deadline_.load(std::memory_order_relaxed);
      return deadline != 0 && deadline <= now;
    });
    for (auto& connection : late) connection->TimeOut();
    late.clear();  // outside the lock: may destroy connections, which unregister
    CloseConnectionsOfRevokedTokens();
    Sweep();
  });
}

void Listener::CloseConnectionsOfRevokedTokens() {
  std::shared_ptr<const TokenTable> tokens = api_.tokens();
  if (!tokens || tokens == swept_tokens_) return;  // not loaded, or no change since the last sweep
  swept_tokens_ = tokens;
  const auto& table = tokens->tokens();
  auto revoked = Collect([&table](const Connection& connection) {
    std::int64_t index = connection.token_index_.load(std::memory_order_relaxed);
    return index >= 0 && static_cast<std::size_t>(index) < table.size() &&
           !table[static_cast<std::size_t>(index)].active();
  });
  if (!revoked.empty()) {
    LogEvent("info", "closing the connections of a revoked token",
             "\"connections\":" + std::to_string(revoked.size()));
  }
  for (auto& connection : revoked) connection->CloseNow();
}

bool Listener::MakeRoom() {
  std::shared_ptr<Connection> longest_idle;
  {
    MutexLock lock(mutex_);
    if (connections_.size() < options_.max_connections) return true;
    std::int64_t oldest = std::numeric_limits<std::int64_t>::max();
    Connection* chosen = nullptr;
    for (auto& [connection, handle] : connections_) {
      std::int64_t since = connection->idle_since_.load(std::memory_order_relaxed);
      if (since != 0 && since < oldest) {
        oldest = since;
        chosen = connection;
      }
    }
    // Taken off the idle list at once, so that the next connection picks another one.
    if (chosen && chosen->idle_since_.compare_exchange_strong(oldest, 0)) {
      longest_idle = connections_[chosen].lock();
    }
  }
  // Released outside the lock: the last reference may destroy the connection, which unregisters.
  auto now = std::chrono::steady_clock::now();
  if (now - last_limit_warning_ > std::chrono::seconds(1)) {  // at most one line a second
    last_limit_warning_ = now;
    LogEvent("warn",
             longest_idle ? "connection limit reached; closing the longest-idle one"
                          : "connection limit reached; refusing a connection",
             "\"max_connections\":" + std::to_string(options_.max_connections));
  }
  if (!longest_idle) return false;
  longest_idle->CloseIfIdle(false);
  return true;
}

void Listener::RecordRequest(std::optional<Route> route, std::string_view method,
                             std::string_view path, int status,
                             std::chrono::steady_clock::time_point started,
                             std::string_view request_id) const {
  auto duration = std::chrono::steady_clock::now() - started;
  if (options_.metrics) options_.metrics->ObserveRequest(route, method, status, duration);
  if (options_.access_log) LogRequest(method, path, status, duration, request_id);
}

void Listener::Register(Connection* connection, std::weak_ptr<Connection> handle) {
  MutexLock lock(mutex_);
  connections_.emplace(connection, std::move(handle));
}

void Listener::Unregister(Connection* connection) {
  MutexLock lock(mutex_);
  connections_.erase(connection);
  if (connections_.empty()) connections_gone_.notify_all();
}

void Listener::Shutdown(std::chrono::seconds grace) {
  if (shut_down_) return;
  shut_down_ = true;
  // seq_cst, as are Session::Read's store of idle_ and CloseIfIdle's load of it: a session
  // that turns idle meanwhile either is seen idle below or sees stopping itself.
  stopping_.store(true);
  net::dispatch(control_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_timer_.cancel();
  });
  auto live = Collect([](const Connection&) { return true; });
  for (auto& connection : live) connection->CloseIfIdle(true);
  live.clear();  // may destroy connections, which unregister themselves
  WaitForConnections(grace);
  keep_running_.reset();
  context_.stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

void Listener::WaitForConnections(std::chrono::seconds grace) {
  MutexLock lock(mutex_);
  connections_gone_.wait_for(mutex_, grace,
                             [this]() REQUIRES(mutex_) { return connections_.empty(); });
}

}  // namespace flagledger

// The server's listening side: the io_context and its threads, the acceptor, the registry of
// open connections, and the sweep that enforces their deadlines and closes the connections of
// revoked tokens. Sessions (http/session.h) and change streams (http/stream_session.h) register
// here for as long as they are open.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/thread_annotations.h"
#include "http/api.h"
#include "http/asio_types.h"
#include "http/connection.h"
#include "http/server.h"

namespace flagledger {

class Listener {
 public:
  // REQUIRES: `api` outlives the listener.
  Listener(ServerOptions options, Api& api, int threads);

  Status Listen();
  std::uint16_t port() const;
  void Start();
  void Shutdown(std::chrono::seconds grace);

  // For the connections: the options, the Api, and whether the server is stopping (seq_cst:
  // see Shutdown).
  const ServerOptions& options() const { return options_; }
  Api& api() { return api_; }
  bool stopping() const { return stopping_.load(); }

  // One answered request, for the metrics and the access log: its duration runs from `started`
  // to now. `path` is the target without its query (which may hold secrets).
  void RecordRequest(std::optional<Route> route, std::string_view method, std::string_view path,
                     int status, std::chrono::steady_clock::time_point started,
                     std::string_view request_id) const;

  // A connection is registered from its start until its destructor.
  void Register(Connection* connection, std::weak_ptr<Connection> handle) EXCLUDES(mutex_);
  void Unregister(Connection* connection) EXCLUDES(mutex_);

 private:
  void Accept();
  // After an accept failed for want of descriptors: accepting again waits kAcceptRetry, so
  // the loop never spins while the process is at its limit.
  void AcceptLater();
  // Every kSweepInterval: times out the connections past their deadline, and closes those whose
  // token was revoked since the last sweep. Keeps running through Shutdown's grace period.
  void Sweep();
  void CloseConnectionsOfRevokedTokens();
  // Until no connection is left, or `grace` has passed.
  void WaitForConnections(std::chrono::seconds grace) EXCLUDES(mutex_);
  // At the connection limit, asks the longest-idle connection to close; false when none is idle.
  bool MakeRoom() EXCLUDES(mutex_);
  // Strong references to the registered connections that `pick` chooses, taken under the
  // lock; the caller releases them outside it (a last reference destroys a connection, which
  // unregisters).
  template <class Pick>
  std::vector<std::shared_ptr<Connection>> Collect(Pick pick) EXCLUDES(mutex_);

  static constexpr std::chrono::milliseconds kSweepInterval{100};
  static constexpr std::chrono::milliseconds kAcceptRetry{50};

  const ServerOptions options_;
  Api& api_;
  const int thread_count_;
  net::io_context context_;  // run by all thread_count_ threads
  // Keeps the threads running until Shutdown has drained the connections, so that an answer
  // the writer thread hands back late still finds them.
  net::executor_work_guard<Executor> keep_running_;
  Strand control_;  // the acceptor's and the sweep's handlers, one at a time
  net::basic_socket_acceptor<tcp, Strand> acceptor_;
  TimerOn<Strand> sweep_timer_;
  TimerOn<Strand> accept_retry_timer_;
  std::chrono::steady_clock::time_point last_limit_warning_;  // control_ only
  std::shared_ptr<const TokenTable> swept_tokens_;            // control_ only
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  bool shut_down_ = false;  // Shutdown's caller only

  Mutex mutex_;
  std::condition_variable_any connections_gone_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_ GUARDED_BY(mutex_);
};

}  // namespace flagledger

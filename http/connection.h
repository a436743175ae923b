// What the listener knows of each open connection, whatever it serves (requests or a change
// stream): its deadline, how long it has been idle, the token its requests were authenticated
// with, and how to close it from another thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace flagledger {

// Thread-safety: the atomics and the Close*/TimeOut calls may be used from any thread; each
// subclass states how its own operations run.
class Connection {
 public:
  virtual ~Connection() = default;

  // Shutdown and the connection limit: an idle connection (or, with streams_too, a change
  // stream) is closed now, a busy one after its answer.
  virtual void CloseIfIdle(bool streams_too) = 0;

  // Called by the sweep when the deadline looked past: if it still is (the wait may have ended
  // meanwhile), marks the connection timed out and shuts its socket down both ways, so its
  // pending operation ends with an error and it closes itself.
  void TimeOut() {
    std::int64_t deadline = deadline_.load(std::memory_order_relaxed);
    if (deadline == 0 || deadline > NowTicks()) return;
    timed_out_.store(true, std::memory_order_release);
    ShutDownFromOutside(kShutBoth);
  }

  // Closes the connection at once, whatever it is doing (its token was revoked).
  void CloseNow() { ShutDownFromOutside(kShutBoth); }

  // When the current wait for the client must end, in NowTicks(); 0 when not waiting on it.
  // Written by the connection's own handlers, read by the sweep.
  std::atomic<std::int64_t> deadline_{0};
  // When the connection began waiting for its next request, in NowTicks(); 0 while a request
  // is under way (and for a stream). Read by the listener to choose whom to close at the limit.
  std::atomic<std::int64_t> idle_since_{0};
  // The position in the TokenTable (TokenTable::IndexOf) of the token that authenticated the
  // connection's latest request; -1 for none. The sweep closes the connection when that
  // token is revoked.
  std::atomic<std::int64_t> token_index_{-1};

  static std::int64_t NowTicks() {
    return std::chrono::steady_clock::now().time_since_epoch().count();
  }

 protected:
  static constexpr int kShutReceive = 0;  // SHUT_RD
  static constexpr int kShutBoth = 2;     // SHUT_RDWR

  // shutdown(2) of the socket, safe beside the connection's own operations: they end with an
  // error and the connection closes itself. Must not release the descriptor.
  virtual void ShutDownFromOutside(int how) = 0;

  void SetDeadline(std::chrono::seconds from_now, std::int64_t now = NowTicks()) {
    deadline_.store(now + std::chrono::steady_clock::duration(from_now).count(),
                    std::memory_order_relaxed);
  }
  void ClearDeadline() { deadline_.store(0, std::memory_order_relaxed); }

  std::atomic<bool> timed_out_{false};  // shut down by the sweep: the client missed a deadline
};

}  // namespace flagledger

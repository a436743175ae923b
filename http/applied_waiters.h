// Reads that wait until a follower has applied a sequence (Flagledger-Min-Sequence,
// docs/api.md section 11, "Read your writes").
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "core/thread_annotations.h"
#include "projections/flag_store.h"

namespace flagledger {

// Answers each waiter true once the store's published state reaches its sequence (checked when
// Notify()d, and every 10 ms), or false at its deadline, on a thread of its own; Stop answers
// the rest false.
class AppliedWaiters {
 public:
  // REQUIRES: `store` outlives this.
  explicit AppliedWaiters(const FlagStore& store);
  ~AppliedWaiters();  // Stop()s
  AppliedWaiters(const AppliedWaiters&) = delete;
  AppliedWaiters& operator=(const AppliedWaiters&) = delete;

  // Calls done(true) at once (on the caller's thread) when the store has published `sequence`;
  // otherwise later, on this object's thread.
  void Wait(std::uint64_t sequence, std::chrono::milliseconds bound, std::function<void(bool)> done)
      EXCLUDES(mutex_);
  // The store published more: answers the waiters it satisfies.
  void Notify() EXCLUDES(mutex_);
  // Answers every waiter false and joins the thread. Idempotent.
  void Stop() EXCLUDES(mutex_);

 private:
  struct Waiter {
    std::uint64_t sequence;
    std::chrono::steady_clock::time_point deadline;
    std::function<void(bool)> done;
  };
  void Run() EXCLUDES(mutex_);

  const FlagStore& store_;
  Mutex mutex_;
  std::condition_variable_any changed_;
  std::vector<Waiter> waiters_ GUARDED_BY(mutex_);
  bool notified_ GUARDED_BY(mutex_) = false;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace flagledger

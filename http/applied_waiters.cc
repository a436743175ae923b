#include "http/applied_waiters.h"

#include <algorithm>

namespace flagledger {

AppliedWaiters::AppliedWaiters(const FlagStore& store)
    : store_(store), thread_([this] { Run(); }) {}

AppliedWaiters::~AppliedWaiters() { Stop(); }

void AppliedWaiters::Wait(std::uint64_t sequence, std::chrono::milliseconds bound,
                          std::function<void(bool)> done) {
  {
    MutexLock lock(mutex_);
    // Checked under the lock: a publish after it is followed by a Notify that sees the waiter.
    if (store_.snapshot()->sequence < sequence && !stopping_) {
      waiters_.push_back({sequence, std::chrono::steady_clock::now() + bound, std::move(done)});
      changed_.notify_one();
      return;
    }
  }
  done(store_.snapshot()->sequence >= sequence);
}

void AppliedWaiters::Notify() {
  {
    MutexLock lock(mutex_);
    if (waiters_.empty()) return;
    notified_ = true;
  }
  changed_.notify_one();
}

void AppliedWaiters::Stop() {
  {
    MutexLock lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  changed_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void AppliedWaiters::Run() {
  for (bool running = true; running;) {
    std::vector<std::pair<std::function<void(bool)>, bool>> answers;
    {
      MutexLock lock(mutex_);
      if (waiters_.empty()) {
        changed_.wait(mutex_, [this]() REQUIRES(mutex_) {
          return stopping_ || notified_ || !waiters_.empty();
        });
      } else {
        auto earliest = std::min_element(waiters_.begin(), waiters_.end(),
                                         [](const Waiter& a, const Waiter& b) {
                                           return a.deadline < b.deadline;
                                         })
                            ->deadline;
        // Also every 10 ms: a store published by its own writer (a cluster's) notifies nobody.
        changed_.wait_until(
            mutex_,
            std::min(earliest, std::chrono::steady_clock::now() + std::chrono::milliseconds(10)),
            [this]() REQUIRES(mutex_) { return stopping_ || notified_; });
      }
      notified_ = false;
      const std::uint64_t published = store_.snapshot()->sequence;
      const auto now = std::chrono::steady_clock::now();
      std::erase_if(waiters_, [&](Waiter& waiter) REQUIRES(mutex_) {
        bool applied = published >= waiter.sequence;
        if (!applied && waiter.deadline > now && !stopping_) return false;
        answers.emplace_back(std::move(waiter.done), applied);
        return true;
      });
      running = !stopping_;
    }
    for (auto& [done, applied] : answers) done(applied);
  }
}

}  // namespace flagledger

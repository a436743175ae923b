// Tells live change streams that the log grew. The writer calls Notify after each published
// batch; each subscriber's callback only schedules work on its own connection's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

#include "core/thread_annotations.h"

namespace flagledger {

class ChangeNotifier {
 public:
  using Callback = std::function<void()>;

  // Returns an id for Unsubscribe. `callback` runs on the notifying thread: keep it short.
  std::uint64_t Subscribe(Callback callback) EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    subscribers_.emplace(++last_id_, std::move(callback));
    return last_id_;
  }
  // After it returns, the callback is not running and will not run again.
  void Unsubscribe(std::uint64_t id) EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    subscribers_.erase(id);
  }
  void Notify() EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    for (auto& [id, callback] : subscribers_) callback();
  }
  std::size_t subscribers() const EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    return subscribers_.size();
  }

 private:
  mutable Mutex mutex_;
  std::map<std::uint64_t, Callback> subscribers_ GUARDED_BY(mutex_);
  std::uint64_t last_id_ GUARDED_BY(mutex_) = 0;
};

}  // namespace flagledger

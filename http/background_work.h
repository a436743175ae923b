// A thread for the API's rare requests whose work blocks for long (making a checkpoint may
// wait for a memtable flush): run here, they never hold an I/O thread and its connections.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <thread>

#include "core/thread_annotations.h"

namespace flagledger {

class BackgroundWork {
 public:
  BackgroundWork();
  ~BackgroundWork();  // Stop()s
  BackgroundWork(const BackgroundWork&) = delete;
  BackgroundWork& operator=(const BackgroundWork&) = delete;

  // Queues `task` and returns true at once; false (and `task` dropped) once stopping. Tasks
  // run one at a time, in order.
  bool Post(std::function<void()> task) EXCLUDES(mutex_);
  // Runs what is queued, then joins the thread. Idempotent. Call it before anything the tasks
  // reach is destroyed (the server's io_context, for an answer).
  void Stop() EXCLUDES(mutex_);

 private:
  void Run() EXCLUDES(mutex_);

  Mutex mutex_;
  std::condition_variable_any posted_;
  std::deque<std::function<void()>> tasks_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace flagledger

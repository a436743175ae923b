#include "http/background_work.h"

namespace flagledger {

BackgroundWork::BackgroundWork() : thread_([this] { Run(); }) {}

BackgroundWork::~BackgroundWork() { Stop(); }

void BackgroundWork::Stop() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  posted_.notify_one();
  if (thread_.joinable()) thread_.join();
}

bool BackgroundWork::Post(std::function<void()> task) {
  {
    MutexLock lock(mutex_);
    if (stopping_) return false;
    tasks_.push_back(std::move(task));
  }
  posted_.notify_one();
  return true;
}

void BackgroundWork::Run() {
  for (;;) {
    std::function<void()> task;
    {
      MutexLock lock(mutex_);
      posted_.wait(mutex_, [this]() REQUIRES(mutex_) { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping, with nothing left
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace flagledger

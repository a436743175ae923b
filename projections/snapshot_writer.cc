#include "projections/snapshot_writer.h"

namespace flagledger {

SnapshotWriter::SnapshotWriter(SnapshotStore& store, ProblemReporter report)
    : store_(store), report_(std::move(report)), thread_([this] { Run(); }) {}

SnapshotWriter::~SnapshotWriter() { Stop(); }

void SnapshotWriter::Request(std::shared_ptr<const ProjectionSnapshot> snapshot) {
  {
    MutexLock lock(mutex_);
    request_ = std::move(snapshot);  // a pending older request is superseded
  }
  requested_.notify_one();
}

void SnapshotWriter::Stop() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;  // a requested snapshot is still written first
  }
  requested_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void SnapshotWriter::Run() {
  while (true) {
    std::shared_ptr<const ProjectionSnapshot> request;
    {
      MutexLock lock(mutex_);
      requested_.wait(mutex_, [this]() REQUIRES(mutex_) { return stopping_ || request_; });
      if (!request_) return;
      request = std::move(request_);
    }
    Status written = store_.Write(*request);
    if (!written.ok() && report_) report_("snapshot write failed", written);
  }
}

}  // namespace flagledger

// Writes projection snapshots in the background, so that the writer thread never waits for one.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <string_view>
#include <thread>

#include "core/status.h"
#include "core/thread_annotations.h"
#include "projections/projection_snapshot.h"
#include "projections/snapshot_store.h"

namespace flagledger {

// One background thread writes the newest requested snapshot; a request made while another is
// waiting replaces it (only the newest state is worth writing). Thread-safe.
class SnapshotWriter {
 public:
  using ProblemReporter = std::function<void(std::string_view what, const Status&)>;

  // Starts the thread. REQUIRES: `store` outlives the writer. `report` is told of every failed
  // write (may be empty).
  SnapshotWriter(SnapshotStore& store, ProblemReporter report);
  ~SnapshotWriter();  // Stop()s
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  // Asks for `snapshot` to be written; returns at once.
  void Request(std::shared_ptr<const ProjectionSnapshot> snapshot) EXCLUDES(mutex_);

  // Writes a pending request, then joins the thread. Idempotent.
  void Stop() EXCLUDES(mutex_);

 private:
  void Run() EXCLUDES(mutex_);

  SnapshotStore& store_;
  const ProblemReporter report_;
  Mutex mutex_;
  std::condition_variable_any requested_;
  std::shared_ptr<const ProjectionSnapshot> request_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace flagledger

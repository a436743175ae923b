// How `flagledger token` and `flagledger backup` reach a running server, which holds the log's
// only writer.
//
// The command writes DATA_DIR/spool/<request_id>.request (temp file + rename, so it is seen
// whole or not at all). The server's SpoolIngester looks every 200 ms, submits the request to
// the store like any write (decided, appended, applied), and once the outcome is durable
// writes <request_id>.result (temp + rename) and removes the request. A backup request,
// <request_id>.backup, holds the backup directory's path; the ingester backs up there itself
// (CreateVerifiedBackup) and answers "ok\n" + the backup's JSON. The spool holds hashes, never
// secrets, and is created 0700.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "core/status.h"
#include "core/thread_annotations.h"
#include "projections/backup.h"
#include "projections/flag_store.h"
#include "projections/snapshot_store.h"
#include "tools/token_request.h"

namespace flagledger {

// Hands `request` to the server and waits up to `timeout` for its outcome: OK or the
// store's error. kUnavailable when no server took the request in time (it is withdrawn).
Status SendThroughSpool(const std::string& data_dir, const TokenRequest& request,
                        std::chrono::milliseconds timeout);

// Asks the server to back up its data directory into `backup_dir`; answers the backup's JSON
// (BackupSummaryJson) or the server's error.
Result<std::string> SendBackupThroughSpool(const std::string& data_dir,
                                           const std::string& backup_dir,
                                           std::chrono::milliseconds timeout);

class SpoolIngester {
 public:
  // REQUIRES: `store` is started and outlives the ingester. `on_problem` logs.
  SpoolIngester(const std::string& data_dir, FlagStore& store,
                std::function<void(std::string_view what, const std::string& detail)> on_problem);
  ~SpoolIngester();  // Stop()s

  void Start();
  void Stop() EXCLUDES(mutex_);  // waits for the submitted requests' outcomes to be written

 private:
  void Run() EXCLUDES(mutex_);
  void IngestOnce() EXCLUDES(mutex_);
  void Finish(const std::string& request_id, const Status& outcome) EXCLUDES(mutex_);
  // Runs the backup request in `path` on this thread and answers it.
  void RunBackup(const std::string& request_id, const std::string& path);

  const std::string spool_dir_;
  FlagStore& store_;
  SnapshotStore snapshots_;
  std::function<void(std::string_view, const std::string&)> on_problem_;
  Mutex mutex_;
  std::condition_variable_any changed_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  // Request ids submitted, outcome not yet written.
  std::set<std::string> in_flight_ GUARDED_BY(mutex_);
  std::thread thread_;
};

}  // namespace flagledger

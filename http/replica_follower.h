// A read replica's feed client: follows its leader's replication feed
// (GET /api/v1/events/stream?batches=true, http/batch_stream.h) from the sequence its own log
// has applied, and applies each batch through FlagStore::ApplyReplicated; reconnects when the
// feed breaks, and knows how far behind it is (docs/api.md, "Read replicas").
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/thread_annotations.h"
#include "core/timestamp.h"
#include "http/applied_waiters.h"
#include "http/replica_lag.h"
#include "projections/flag_store.h"

namespace flagledger {

struct FollowerOptions {
  std::string leader_url;  // http://HOST:PORT
  std::string token;       // a bearer token the leader grants its feed (operator or replica)
  // Past this lag (or this long without a word from the leader) the follower is not ready.
  std::chrono::milliseconds max_lag{1000};
  // Told once when following cannot go on: the leader's log is another one, or a batch does
  // not follow this log (the follower stops applying). May be empty.
  std::function<void(const std::string& problem)> on_stopped;
};

// Where a follower stands; a copy, for /readyz and the metrics.
struct FollowerState {
  std::uint64_t applied = 0;      // the newest event this follower applied
  std::uint64_t leader_head = 0;  // the newest event the leader reported
  // How old, on the leader's clock, the oldest event this follower lacks is (0: caught up).
  // Until that event's frame arrives: how long it has been behind leader_head.
  double lag_seconds = 0;
  double silent_seconds = 0;  // since the leader's last frame (or since start)
  bool connected = false;
  bool heard = false;    // the leader has been heard since start
  bool stopped = false;  // applying stopped (see FollowerOptions::on_stopped)
  std::string problem;   // why it is not following, when it is not
  std::uint64_t batches_applied = 0;
  std::uint64_t reconnects = 0;
  std::uint64_t apply_failures = 0;

  std::uint64_t lag_events() const { return leader_head > applied ? leader_head - applied : 0; }
};

// The follower's Prometheus metrics (flagledger_replica_*), appended to `out`.
void AppendReplicaMetrics(std::string& out, const FollowerState& state);

class ReplicaFollower {
 public:
  // REQUIRES: `store` was created with FlagStoreOptions::follower, is started, and outlives
  // this follower.
  ReplicaFollower(FlagStore& store, FollowerOptions options);
  ~ReplicaFollower();  // Stop()s
  ReplicaFollower(const ReplicaFollower&) = delete;
  ReplicaFollower& operator=(const ReplicaFollower&) = delete;

  // Starts following on a thread of its own.
  void Start();
  // Stops following and joins the thread. Idempotent.
  void Stop();

  FollowerState state() const EXCLUDES(mutex_);
  // Calls `done(true)` once this follower has applied `sequence` (at once if it has), or
  // `done(false)` after `bound`; on the follower's thread, or on the caller's when at once.
  void WhenApplied(std::uint64_t sequence, std::chrono::milliseconds bound,
                   std::function<void(bool)> done) EXCLUDES(mutex_);
  // Ready to serve: following, with lag and silence within max_lag.
  bool ready() const;
  const FollowerOptions& options() const { return options_; }

 private:
  struct Feed;  // the connection's coroutines (replica_follower.cc)
  friend struct Feed;

  void Run();
  // Called by the feed for each frame, on the follower's thread.
  // `leader_time`: the leader's clock in a heartbeat, when the frame is one.
  void Heard(std::uint64_t leader_head, std::optional<Timestamp> leader_time) EXCLUDES(mutex_);
  // A batch whose first event (`first`) the leader recorded at `recorded_at` has arrived.
  void Received(std::uint64_t first, Timestamp recorded_at) EXCLUDES(mutex_);
  void SetConnected(bool connected, const std::string& problem) EXCLUDES(mutex_);
  void StopApplying(const std::string& problem) EXCLUDES(mutex_);
  void Applied(std::uint64_t last, std::size_t batches) EXCLUDES(mutex_);

  FlagStore& store_;
  const FollowerOptions options_;
  std::unique_ptr<Feed> feed_;
  std::thread thread_;

  mutable Mutex mutex_;
  FollowerState state_ GUARDED_BY(mutex_);
  std::chrono::steady_clock::time_point last_heard_ GUARDED_BY(mutex_);
  ReplicaLag lag_ GUARDED_BY(mutex_);
  AppliedWaiters waiters_;
};

}  // namespace flagledger

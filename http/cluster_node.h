// A node of a flagledger cluster on etcd (`flagledger serve --cluster etcd=URL,...`): follows
// the cluster's log in etcd, campaigns for the writer's role through etcd's election API on a
// lease, and becomes the one fenced writer when elected (docs/api.md, "Running a cluster").
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/thread_annotations.h"
#include "events/etcd_client.h"
#include "events/etcd_log.h"
#include "http/applied_waiters.h"
#include "projections/flag_store.h"

namespace flagledger {

struct ClusterOptions {
  std::vector<std::string> etcd_endpoints;
  std::string prefix = "flagledger/";
  std::string node_id;
  // Where clients reach this node (http://HOST:PORT); empty: the one Start is given.
  std::string advertise_url;
  // The writer's lease: a writer that cannot renew it (crashed, paused, cut off) loses its
  // role within this time, and another node is elected.
  std::chrono::seconds lease_ttl{3};
  // A follower further behind (or unheard for longer) is not ready.
  std::chrono::milliseconds max_lag{1000};
  std::chrono::milliseconds request_timeout{2000};
  // The writer trims the log in etcd below what every live node has applied, but keeps at
  // least this many newest events there (a node restarted within them needs no checkpoint).
  std::uint64_t window_events = 10'000;
  // How often the writer trims and reads etcd's size.
  std::chrono::milliseconds maintenance_interval{2000};
  // Told of role changes and problems: (level, message, detail). May be empty.
  std::function<void(std::string_view, std::string_view, const std::string&)> log;
  // Told once when this node cannot go on (another cluster's history, a batch that does not
  // follow its log); it stops applying. May be empty.
  std::function<void(const std::string&)> on_stopped;
};

enum class ClusterRole { kFollower, kWriter };

// Where a node stands; a copy, for /readyz and the metrics.
struct ClusterState {
  ClusterRole role = ClusterRole::kFollower;
  std::string node_id;
  std::string writer_id;   // the elected writer's node id ("" while none is known)
  std::string writer_url;  // and its advertised URL
  std::int64_t term = 0;   // the revision of this node's election key while it writes
  std::int64_t lease = 0;
  std::uint64_t applied = 0;       // the newest event this node applied
  std::uint64_t cluster_head = 0;  // the newest event committed, as last read from etcd
  std::uint64_t window_start = 0;  // the first event the log in etcd holds (writer's view)
  std::int64_t etcd_db_bytes = 0;  // the largest etcd member's database (writer's view)
  std::uint64_t elections_won = 0;
  std::uint64_t depositions = 0;
  bool caught_up = false;  // applied the head within max_lag
  bool stopped = false;
  std::string problem;
};

void AppendClusterMetrics(std::string& out, const ClusterState& state, const EtcdLog& log);

class ClusterNode {
 public:
  // REQUIRES: `store` was created as a follower over a log whose gate is `log`, is started,
  // and outlives the node; `log` was created with on_deposed calling Deposed().
  ClusterNode(FlagStore& store, EtcdLog& log, ClusterOptions options);
  ~ClusterNode();  // Stop()s
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  // Starts the node's threads (lease, election, applying), advertising `listening` (the
  // server's own address) unless the options name another URL. Returns at once.
  void Start(const std::string& listening);
  // Hands the writer's role over (the lease is revoked, so another node is elected at once),
  // stops following and joins the threads. Idempotent.
  void Stop();

  // The log found this node deposed (called on the writer's thread; does not block).
  void Deposed(const std::string& why) EXCLUDES(mutex_);

  ClusterState state() const EXCLUDES(mutex_);
  // Calls `done(true)` once this node has applied `sequence` (at once if it has), or
  // `done(false)` after `bound` (Flagledger-Min-Sequence).
  void WhenApplied(std::uint64_t sequence, std::chrono::milliseconds bound,
                   std::function<void(bool)> done) {
    waiters_.Wait(sequence, bound, std::move(done));
  }
  // Whether this node takes writes now: one atomic load, for every write request.
  bool writer() const { return writer_.load(std::memory_order_acquire); }
  bool ready() const;
  const ClusterOptions& options() const { return options_; }
  const EtcdLog& log() const { return log_; }
  // The URL this node advertises (after Start).
  const std::string& advertise_url() const { return advertise_url_; }

 private:
  void RunLease();
  void RunCampaign();
  void RunApply();
  // Checks (or gives) the cluster's log id; false when this node cannot join (reported).
  bool JoinCluster(EtcdClient& etcd);
  // Applies the cluster's batches after this node's log; kOk when it reached the head as of
  // the returned revision.
  Result<std::int64_t> CatchUp(EtcdClient& etcd) EXCLUDES(mutex_);
  // Applies `batches`; stops the node (on_stopped) when they do not follow its log.
  bool Apply(std::vector<ReplicatedBatch>& batches) EXCLUDES(mutex_);
  // Follows the log in etcd until interrupted, idle or broken.
  void Follow(EtcdClient& etcd) EXCLUDES(mutex_);
  void Promote(EtcdClient& etcd, const EtcdLeaderKey& leader) EXCLUDES(mutex_);
  void Demote(const std::string& why) EXCLUDES(mutex_);
  void Publish(EtcdClient& etcd) EXCLUDES(mutex_);
  // The writer's upkeep: trims the log in etcd (ClusterOptions::window_events) and reads the
  // members' database sizes.
  void Maintain(EtcdClient& etcd) EXCLUDES(mutex_);
  void StopApplying(const std::string& problem) EXCLUDES(mutex_);
  void Log(std::string_view level, std::string_view message, const std::string& detail) const {
    if (options_.log) options_.log(level, message, detail);
  }
  // Waits up to `timeout` for `wake` or stopping; true when stopping.
  bool Sleep(std::chrono::milliseconds timeout) EXCLUDES(mutex_);

  FlagStore& store_;
  EtcdLog& log_;
  const ClusterOptions options_;
  const ClusterKeys keys_;
  std::string advertise_url_;  // set by Start, before the threads

  std::atomic<bool> stopping_{false};
  std::atomic<bool> interrupt_follow_{false};
  std::atomic<bool> writer_{false};  // state_.role == kWriter, readable without the mutex  // ends
                                     // a watch: elected, deposed or stopping
  std::thread lease_thread_, campaign_thread_, apply_thread_;

  mutable Mutex mutex_;
  std::condition_variable_any changed_;
  ClusterState state_ GUARDED_BY(mutex_);
  bool joined_ GUARDED_BY(mutex_) = false;
  std::optional<EtcdLeaderKey> elected_ GUARDED_BY(mutex_);  // won, not yet promoted
  std::optional<std::string> deposed_ GUARDED_BY(mutex_);    // why, until demoted
  std::chrono::steady_clock::time_point caught_up_at_ GUARDED_BY(mutex_){};
  std::uint64_t trimmed_through_ = 0;  // apply thread only
  AppliedWaiters waiters_;
};

}  // namespace flagledger

#include "http/cluster_node.h"

#include <cstdio>
#include <tuple>

#include "core/json_writer.h"
#include "events/log_keys.h"
#include "http/prometheus_text.h"

namespace flagledger {

namespace {

// Up to 16 batches of up to 1 MiB each (base64 in JSON: ~22 MiB) per read.
constexpr std::size_t kBatchesPerRead = 16;
constexpr std::chrono::milliseconds kRetryPause{200};
constexpr std::chrono::milliseconds kWatchIdle{500};
constexpr std::chrono::milliseconds kPublishInterval{1000};

}  // namespace

void AppendClusterMetrics(std::string& out, const ClusterState& state, const EtcdLog& log) {
  auto gauge = [&](std::string_view name, std::string_view help, double value) {
    Header(out, name, "gauge", help);
    Sample(out, name, "", value);
  };
  auto counter = [&](std::string_view name, std::string_view help, std::uint64_t value) {
    Header(out, name, "counter", help);
    Sample(out, name, "", static_cast<double>(value));
  };
  Header(out, "flagledger_cluster_info", "gauge",
         "This node's id, the writer's as this node knows it, and this node's lease in etcd.");
  char lease[17];
  std::snprintf(lease, sizeof lease, "%llx", static_cast<unsigned long long>(state.lease));
  std::string labels = "node_id=";
  AppendJsonString(labels, state.node_id);
  labels += ",writer_id=";
  AppendJsonString(labels, state.writer_id);
  labels += ",lease=\"" + std::string(lease) + "\"";
  Sample(out, "flagledger_cluster_info", labels, 1);
  gauge("flagledger_cluster_writer", "1 while this node is the cluster's writer.",
        state.role == ClusterRole::kWriter ? 1 : 0);
  gauge("flagledger_cluster_term",
        "The etcd revision of this node's election key while it writes (0: a follower).",
        static_cast<double>(state.term));
  gauge("flagledger_cluster_applied_sequence", "The newest event this node applied.",
        static_cast<double>(state.applied));
  gauge("flagledger_cluster_head_sequence",
        "The newest event committed to the cluster, as this node last read it.",
        static_cast<double>(state.cluster_head));
  gauge("flagledger_cluster_caught_up", "1 while this node applied the cluster's head lately.",
        state.caught_up ? 1 : 0);
  gauge("flagledger_cluster_window_start_sequence",
        "The first event the cluster's log in etcd holds (on the writer; 0 elsewhere).",
        static_cast<double>(state.window_start));
  gauge("flagledger_cluster_etcd_db_bytes",
        "The largest etcd member's database size (on the writer; 0 elsewhere). etcd refuses "
        "writes past its quota (--quota-backend-bytes, 2 GiB by default).",
        static_cast<double>(state.etcd_db_bytes));
  counter("flagledger_cluster_elections_won_total", "Times this node became the writer.",
          state.elections_won);
  counter("flagledger_cluster_depositions_total",
          "Times this node stopped being the writer without being asked to.", state.depositions);
  counter("flagledger_cluster_unknown_outcomes_total",
          "Appends whose outcome etcd did not confirm in time.", log.unknown_outcomes());
  Header(out, "flagledger_cluster_append_seconds", "histogram",
         "Seconds per batch committed to etcd by this node as the writer.");
  AppendHistogram(out, "flagledger_cluster_append_seconds", "", log.append_seconds());
}

ClusterNode::ClusterNode(FlagStore& store, EtcdLog& log, ClusterOptions options)
    : store_(store),
      log_(log),
      options_(std::move(options)),
      keys_{options_.prefix},
      waiters_(store) {
  MutexLock lock(mutex_);
  state_.node_id = options_.node_id;
  state_.applied = store_.log().last_sequence();
}

ClusterNode::~ClusterNode() { Stop(); }

void ClusterNode::Start(const std::string& listening) {
  advertise_url_ = options_.advertise_url.empty() ? listening : options_.advertise_url;
  lease_thread_ = std::thread([this] { RunLease(); });
  campaign_thread_ = std::thread([this] { RunCampaign(); });
  apply_thread_ = std::thread([this] { RunApply(); });
}

void ClusterNode::Stop() {
  if (stopping_.exchange(true)) return;
  interrupt_follow_.store(true, std::memory_order_release);
  log_.Disarm();
  store_.SetFollower(true);
  std::int64_t lease = 0;
  bool was_writer = false;
  {
    MutexLock lock(mutex_);
    lease = state_.lease;
    was_writer = state_.role == ClusterRole::kWriter;
    state_.role = ClusterRole::kFollower;
    writer_.store(false, std::memory_order_release);
  }
  changed_.notify_all();
  // Revoking the lease deletes this node's election key: the next candidate is elected now
  // rather than when the lease would have expired.
  if (lease != 0) {
    EtcdClient etcd(options_.etcd_endpoints, options_.request_timeout);
    Status revoked = etcd.LeaseRevoke(lease);
    if (was_writer) {
      Log(revoked.ok() ? "info" : "warn", "handed the cluster's writer role over",
          revoked.ok() ? std::string() : revoked.detail());
    }
  }
  for (std::thread* thread : {&apply_thread_, &campaign_thread_, &lease_thread_}) {
    if (thread->joinable()) thread->join();
  }
  // A promotion under way when Stop began may have armed the log since.
  log_.Disarm();
  store_.SetFollower(true);
  waiters_.Stop();
}

void ClusterNode::Deposed(const std::string& why) {
  {
    MutexLock lock(mutex_);
    deposed_ = why;
  }
  interrupt_follow_.store(true, std::memory_order_release);
  changed_.notify_all();
}

ClusterState ClusterNode::state() const {
  MutexLock lock(mutex_);
  ClusterState state = state_;
  state.applied = store_.log().last_sequence();
  state.caught_up = state.role == ClusterRole::kWriter ||
                    (caught_up_at_ != std::chrono::steady_clock::time_point{} &&
                     std::chrono::steady_clock::now() - caught_up_at_ <= options_.max_lag);
  return state;
}

bool ClusterNode::ready() const {
  ClusterState now = state();
  return !now.stopped && now.caught_up;
}

bool ClusterNode::Sleep(std::chrono::milliseconds timeout) {
  MutexLock lock(mutex_);
  return changed_.wait_for(mutex_, timeout, [this] { return stopping_.load(); });
}

void ClusterNode::RunLease() {
  const auto ttl = std::chrono::duration_cast<std::chrono::milliseconds>(options_.lease_ttl);
  // A renewal that waits on a lost member must leave time to try the others within the TTL.
  EtcdClient etcd(
      options_.etcd_endpoints,
      std::max(std::chrono::milliseconds(300), std::min(options_.request_timeout, ttl / 3)),
      &stopping_);
  auto renewed = std::chrono::steady_clock::now();
  bool renewing = true;  // the last renewal worked
  while (!stopping_.load()) {
    std::int64_t lease = 0;
    {
      MutexLock lock(mutex_);
      lease = state_.lease;
    }
    if (lease == 0) {
      auto granted = etcd.LeaseGrant(options_.lease_ttl.count());
      if (!granted.ok()) {
        if (Sleep(kRetryPause)) break;
        continue;
      }
      renewed = std::chrono::steady_clock::now();
      renewing = true;
      {
        MutexLock lock(mutex_);
        state_.lease = granted->id;
      }
      changed_.notify_all();
      continue;
    }
    if (Sleep(renewing ? ttl / 3 : std::chrono::milliseconds(100))) break;
    auto left = etcd.LeaseKeepAlive(lease);
    const auto now = std::chrono::steady_clock::now();
    if (left.ok() && *left > 0) {
      renewed = now;
      renewing = true;
      continue;
    }
    renewing = false;
    if (left.ok()) {
      // The lease is gone, and this node's election key with it.
      Log("warn", "lost the cluster lease", "etcd says the lease expired");
      {
        MutexLock lock(mutex_);
        if (state_.lease == lease) state_.lease = 0;
        if (state_.role == ClusterRole::kWriter) deposed_ = "the lease expired";
      }
    } else if (now - renewed >= ttl) {
      // Unrenewed for a whole TTL: the lease may be gone. A writer stops at once (its
      // appends would be refused anyway); the lease is kept while etcd may still hold it.
      MutexLock lock(mutex_);
      if (state_.role != ClusterRole::kWriter || deposed_) continue;
      deposed_ = "could not renew the lease within its TTL: " + left.status().detail();
    } else {
      continue;
    }
    interrupt_follow_.store(true, std::memory_order_release);
    changed_.notify_all();
  }
}

void ClusterNode::RunCampaign() {
  EtcdClient etcd(options_.etcd_endpoints, std::chrono::milliseconds(options_.request_timeout),
                  &stopping_);
  const std::string candidate = EncodeCandidate(options_.node_id, advertise_url_);
  while (!stopping_.load()) {
    std::int64_t lease = 0;
    {
      MutexLock lock(mutex_);
      changed_.wait(mutex_, [this]() REQUIRES(mutex_) {
        return stopping_.load() ||
               (joined_ && !state_.stopped && state_.lease != 0 &&
                state_.role == ClusterRole::kFollower && !elected_ && !deposed_);
      });
      if (stopping_.load()) break;
      lease = state_.lease;
    }
    auto won = etcd.Campaign(keys_.Election(), lease, candidate);
    if (!won.ok()) {
      if (Sleep(kRetryPause)) break;
      continue;
    }
    {
      MutexLock lock(mutex_);
      if (state_.lease != lease || stopping_.load()) continue;  // a stale key: it went
      elected_ = *won;
    }
    interrupt_follow_.store(true, std::memory_order_release);
    changed_.notify_all();
    {
      MutexLock lock(mutex_);
      changed_.wait(mutex_, [this]() REQUIRES(mutex_) {
        return stopping_.load() ||
               (!elected_ && !deposed_ && state_.role == ClusterRole::kFollower);
      });
    }
    if (stopping_.load()) break;
    // Not (or no longer) the writer while the key is alive: give the role back.
    Status resigned = etcd.Resign(*won);
    if (!resigned.ok()) Log("warn", "could not resign from the election", resigned.detail());
  }
}

bool ClusterNode::JoinCluster(EtcdClient& etcd) {
  const EventLog& local = store_.log();
  auto stored = etcd.Range(keys_.LogId());
  if (!stored.ok()) {
    MutexLock lock(mutex_);
    state_.problem = "cannot reach etcd: " + stored.status().detail();
    return false;
  }
  std::string cluster_id;
  if (stored->kvs.empty()) {
    if (local.last_sequence() > 0) {
      StopApplying(
          "this node's data directory holds events but the cluster holds none: a "
          "cluster starts from empty data directories");
      return false;
    }
    EtcdTxn create;
    create.compare.push_back({keys_.LogId(), EtcdCompare::Target::kCreateRevision, 0, {}});
    create.success_puts.push_back({keys_.LogId(), local.log_id(), 0});
    create.failure_gets.push_back(keys_.LogId());
    auto created = etcd.Txn(create);
    if (!created.ok()) return false;
    if (!created->succeeded && !created->failure_values[0]) return false;  // gone again: retry
    cluster_id = created->succeeded ? local.log_id() : created->failure_values[0]->value;
  } else {
    cluster_id = stored->kvs.front().value;
  }
  if (cluster_id != local.log_id()) {
    if (local.last_sequence() > 0) {
      StopApplying("this node's log (" + local.log_id() + ") is not the cluster's (" + cluster_id +
                   ")");
      return false;
    }
    if (Status adopted = store_.AdoptLogId(cluster_id); !adopted.ok()) {
      StopApplying(adopted.detail());
      return false;
    }
  }
  auto head = ReadClusterHead(etcd, keys_);
  if (!head.ok()) return false;
  if (head->sequence < local.last_sequence()) {
    StopApplying("this node's log reaches event " + std::to_string(local.last_sequence()) +
                 " but the cluster's only " + std::to_string(head->sequence));
    return false;
  }
  return true;
}

void ClusterNode::StopApplying(const std::string& problem) {
  {
    MutexLock lock(mutex_);
    if (state_.stopped) return;
    state_.stopped = true;
    state_.problem = problem;
  }
  changed_.notify_all();
  Log("error", "this node stopped following the cluster", problem);
  if (options_.on_stopped) options_.on_stopped(problem);
}

bool ClusterNode::Apply(std::vector<ReplicatedBatch>& batches) {
  if (batches.empty()) return true;
  Status applied = store_.ApplyReplicated(batches);
  if (applied.ok()) waiters_.Notify();
  if (applied.ok()) {
    MutexLock lock(mutex_);
    state_.cluster_head = std::max(state_.cluster_head, batches.back().last);
    state_.problem.clear();
    return true;
  }
  if (applied.code() == ErrorCode::kInternal) {
    StopApplying(applied.detail());
  } else {
    MutexLock lock(mutex_);
    state_.problem = applied.detail();
  }
  return false;
}

Result<std::int64_t> ClusterNode::CatchUp(EtcdClient& etcd) {
  for (;;) {
    if (stopping_.load()) return Status(ErrorCode::kUnavailable, "stopping");
    auto read = ReadClusterBatches(etcd, keys_, store_.log().last_sequence(), kBatchesPerRead);
    if (!read.ok()) {
      if (read.status().code() != ErrorCode::kInternal) return read.status();
      const std::uint64_t applied = store_.log().last_sequence();
      auto start = ReadClusterWindowStart(etcd, keys_);
      if (start.ok() && *start > applied + 1) {
        StopApplying("this node has applied event " + std::to_string(applied) +
                     " but the cluster's log in etcd now begins at event " +
                     std::to_string(*start) +
                     ": restart it, and it starts from a peer's checkpoint");
      } else {
        StopApplying(read.status().detail());
      }
      return read.status();
    }
    if (read->batches.empty()) {
      MutexLock lock(mutex_);
      caught_up_at_ = std::chrono::steady_clock::now();
      state_.cluster_head = store_.log().last_sequence();
      return read->revision;
    }
    if (!Apply(read->batches)) return Status(ErrorCode::kUnavailable, "cannot apply a batch");
  }
}

void ClusterNode::Follow(EtcdClient& etcd) {
  auto revision = CatchUp(etcd);
  if (!revision.ok()) {
    {
      MutexLock lock(mutex_);
      if (state_.problem.empty()) state_.problem = revision.status().detail();
    }
    Sleep(kRetryPause);
    return;
  }
  if (auto writer = etcd.Leader(keys_.Election()); writer.ok()) {
    MutexLock lock(mutex_);
    if (*writer) {
      std::tie(state_.writer_id, state_.writer_url) = DecodeCandidate((*writer)->value);
    } else {
      state_.writer_id.clear();
      state_.writer_url.clear();
    }
  }
  const std::string log_prefix = keys_.LogPrefix();
  Status watched = etcd.Watch(log_prefix, internal::PrefixEnd(log_prefix), *revision + 1,
                              kWatchIdle, [&](const EtcdWatchResponse& response) {
                                if (interrupt_follow_.load(std::memory_order_acquire)) return false;
                                if (response.canceled || response.compact_revision > 0)
                                  return false;
                                std::vector<ReplicatedBatch> batches;
                                std::uint64_t next = store_.log().last_sequence() + 1;
                                for (const EtcdWatchEvent& event : response.events) {
                                  if (event.deleted) continue;
                                  auto batch = DecodeReplicatedBatch(event.kv.value);
                                  if (!batch.ok() || batch->first != next)
                                    return false;  // CatchUp sorts it out
                                  next = batch->last + 1;
                                  batches.push_back(std::move(batch).value());
                                }
                                if (!Apply(batches)) return false;
                                if (!batches.empty()) {
                                  MutexLock lock(mutex_);
                                  caught_up_at_ = std::chrono::steady_clock::now();
                                }
                                return true;
                              });
  if (!watched.ok()) {
    MutexLock lock(mutex_);
    state_.problem = watched.detail();
  }
}

void ClusterNode::Promote(EtcdClient& etcd, const EtcdLeaderKey& leader) {
  auto give_up = [&](const std::string& why) {
    {
      MutexLock lock(mutex_);
      elected_.reset();
    }
    changed_.notify_all();  // the campaign resigns
    Log("warn", "elected, but cannot take the writer's role", why);
  };
  auto caught_up = CatchUp(etcd);
  if (!caught_up.ok()) return give_up(caught_up.status().detail());
  auto head = ReadClusterHead(etcd, keys_);
  if (!head.ok()) return give_up(head.status().detail());
  if (head->sequence != store_.log().last_sequence()) {
    return give_up("the cluster's head is event " + std::to_string(head->sequence) +
                   " but its log ends at " + std::to_string(store_.log().last_sequence()));
  }
  auto key = etcd.Range(leader.key);
  if (!key.ok()) return give_up(key.status().detail());
  if (key->kvs.empty() || key->kvs.front().create_revision != leader.revision) {
    return give_up("the election key went with its lease");
  }
  log_.Arm({leader.key, leader.revision, *head});
  store_.SetFollower(false);
  {
    MutexLock lock(mutex_);
    elected_.reset();
    state_.role = ClusterRole::kWriter;
    writer_.store(true, std::memory_order_release);
    state_.term = leader.revision;
    state_.writer_id = options_.node_id;
    state_.writer_url = advertise_url_;
    state_.cluster_head = head->sequence;
    ++state_.elections_won;
  }
  changed_.notify_all();
  Log("info", "became the cluster's writer",
      "term " + std::to_string(leader.revision) + ", at event " + std::to_string(head->sequence));
}

void ClusterNode::Demote(const std::string& why) {
  log_.Disarm();
  store_.SetFollower(true);
  bool was_writer = false;
  {
    MutexLock lock(mutex_);
    deposed_.reset();
    was_writer = state_.role == ClusterRole::kWriter;
    if (was_writer) {
      state_.role = ClusterRole::kFollower;
      writer_.store(false, std::memory_order_release);
      writer_.store(false, std::memory_order_release);
      state_.term = 0;
      state_.writer_id.clear();
      state_.writer_url.clear();
      state_.window_start = 0;
      state_.etcd_db_bytes = 0;
      ++state_.depositions;
    }
  }
  changed_.notify_all();
  if (was_writer) Log("warn", "stopped being the cluster's writer", why);
}

void ClusterNode::Publish(EtcdClient& etcd) {
  std::int64_t lease = 0;
  std::string value;
  {
    MutexLock lock(mutex_);
    lease = state_.lease;
    value = EncodeNodeReport(
        {advertise_url_, store_.log().last_sequence(), state_.role == ClusterRole::kWriter});
  }
  if (lease == 0) return;
  // A lost update is redone next time; meanwhile the previous report (a lower sequence, which
  // only holds trimming back) stands.
  static_cast<void>(etcd.Put({keys_.Node(options_.node_id), value, lease}));
}

void ClusterNode::Maintain(EtcdClient& etcd) {
  const std::uint64_t head = store_.log().last_sequence();
  std::uint64_t through = head > options_.window_events ? head - options_.window_events : 0;
  const std::string nodes_prefix = keys_.NodesPrefix();
  auto nodes = etcd.Range(nodes_prefix, internal::PrefixEnd(nodes_prefix));
  if (!nodes.ok()) return;
  for (const EtcdKeyValue& node : nodes->kvs) {
    if (auto report = DecodeNodeReport(node.value)) through = std::min(through, report->applied);
  }
  if (through > trimmed_through_) {
    Status trimmed = TrimCluster(etcd, keys_, through);
    if (trimmed.ok()) {
      trimmed_through_ = through;
    } else {
      Log("warn", "could not trim the cluster's log in etcd", trimmed.detail());
    }
  }
  auto start = ReadClusterWindowStart(etcd, keys_);
  auto members = etcd.MemberStatuses();
  MutexLock lock(mutex_);
  if (start.ok()) state_.window_start = *start;
  if (members.ok()) {
    state_.etcd_db_bytes = 0;
    for (const EtcdMemberStatus& member : *members) {
      state_.etcd_db_bytes = std::max(state_.etcd_db_bytes, member.db_size);
    }
  }
}

void ClusterNode::RunApply() {
  EtcdClient etcd(options_.etcd_endpoints, options_.request_timeout, &interrupt_follow_);
  while (!stopping_.load()) {
    interrupt_follow_.store(false, std::memory_order_release);
    if (JoinCluster(etcd)) break;
    {
      MutexLock lock(mutex_);
      if (state_.stopped) return;
    }
    if (Sleep(kRetryPause)) return;
  }
  {
    MutexLock lock(mutex_);
    joined_ = true;
  }
  changed_.notify_all();
  auto published = std::chrono::steady_clock::time_point{};
  auto maintained = std::chrono::steady_clock::time_point{};
  while (!stopping_.load()) {
    interrupt_follow_.store(false, std::memory_order_release);
    std::optional<EtcdLeaderKey> elected;
    std::optional<std::string> deposed;
    ClusterRole role;
    {
      MutexLock lock(mutex_);
      if (state_.stopped) break;
      elected = elected_;
      deposed = deposed_;
      role = state_.role;
    }
    if (deposed) {
      Demote(*deposed);
      continue;
    }
    if (elected) {
      Promote(etcd, *elected);
      continue;
    }
    if (std::chrono::steady_clock::now() - published >= kPublishInterval) {
      Publish(etcd);
      published = std::chrono::steady_clock::now();
    }
    if (role == ClusterRole::kWriter) {
      if (std::chrono::steady_clock::now() - maintained >= options_.maintenance_interval) {
        Maintain(etcd);
        maintained = std::chrono::steady_clock::now();
      }
      MutexLock lock(mutex_);
      changed_.wait_for(mutex_, kPublishInterval, [this]() REQUIRES(mutex_) {
        return stopping_.load() || deposed_.has_value();
      });
      continue;
    }
    Follow(etcd);
  }
}

}  // namespace flagledger

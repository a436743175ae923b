// The cluster's log in etcd: the authoritative recent window of the event log, appended by one
// fenced writer, read by every node (docs/api.md, "Running a cluster").
//
// Keys, all under the cluster's prefix P:
//   P head           the last sequence committed, in decimal; its mod revision is the append
//                    fence
//   P log/<first>    one batch (EncodeReplicatedBatch), <first> its first sequence in 20 digits;
//                    or, for a batch larger than one request, a manifest (EncodeBatchManifest)
//   P parts/<first>/<n>  the parts of such a batch, in order, <n> in 6 digits
//   P log_id         the id of the cluster's history (every node's log takes it)
//   P election       etcd's election of the writer (keys P election/<lease>)
//   P nodes/<id>     each node's URL and applied sequence, under its lease
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/histogram.h"
#include "core/status.h"
#include "core/thread_annotations.h"
#include "events/batch_gate.h"
#include "events/etcd_client.h"
#include "events/replicated_batch.h"

namespace flagledger {

struct ClusterKeys {
  std::string prefix;

  std::string Head() const { return prefix + "head"; }
  std::string LogId() const { return prefix + "log_id"; }
  std::string Election() const { return prefix + "election"; }
  std::string LogPrefix() const { return prefix + "log/"; }
  std::string Batch(std::uint64_t first) const;
  std::string PartsOf(std::uint64_t first) const;  // the prefix of a large batch's parts
  std::string Part(std::uint64_t first, std::size_t part) const;
  std::string NodesPrefix() const { return prefix + "nodes/"; }
  std::string Node(std::string_view node_id) const { return NodesPrefix() + std::string(node_id); }
};

// Where the cluster's log ends.
struct ClusterHead {
  std::uint64_t sequence = 0;     // 0: nothing committed yet
  std::int64_t mod_revision = 0;  // of the head key (0: none)
  std::int64_t revision = 0;      // the store's revision it was read at
};

// The writer's right to append: its election key, and the head it appended last (or found
// when it was elected).
struct WriterFence {
  std::string leader_key;
  std::int64_t leader_revision = 0;
  ClusterHead head;
};

struct EtcdLogOptions {
  std::vector<std::string> endpoints;
  std::string prefix = "flagledger/";
  std::chrono::milliseconds request_timeout{2000};
  // How long the writer retries a batch whose outcome it does not know (etcd lost a member or
  // its leader) before it gives the batch up as unknown and stops writing.
  std::chrono::milliseconds settle_timeout{10000};
  // Bytes of a batch's encoding per etcd request (etcd's --max-request-bytes, 1.5 MiB by
  // default, holds the value base64-encoded in JSON); a larger batch goes in parts.
  std::size_t max_batch_bytes = std::size_t{1} << 20;
};

// A large batch's value under log/<first>: how many parts hold its encoding, and its size.
struct BatchManifest {
  std::size_t parts = 0;
  std::size_t bytes = 0;
  std::string sha256;  // of the whole encoding, 64 lowercase hex digits
};
// "FLBM<parts> <bytes> <sha256>"; never a batch's encoding (which starts "FLB1"). The digest
// makes the manifest name one batch: two writers' batches of one size are told apart.
std::string EncodeBatchManifest(std::size_t parts, std::size_t bytes, std::string_view sha256);
std::optional<BatchManifest> DecodeBatchManifest(std::string_view value);

// The election's value: "<node id> <URL>" (neither holds a space).
std::string EncodeCandidate(std::string_view node_id, std::string_view url);
// (node id, URL); the URL is empty when the value holds none.
std::pair<std::string, std::string> DecodeCandidate(std::string_view value);

// What each node reports under nodes/<id>, with its lease, about once a second: the writer
// trims the log below the smallest `applied`, and a lagging node finds peers by `url`.
// {"url":"...","applied":N,"role":"writer"|"follower"}.
struct NodeReport {
  std::string url;
  std::uint64_t applied = 0;
  bool writer = false;
};
std::string EncodeNodeReport(const NodeReport& report);
std::optional<NodeReport> DecodeNodeReport(std::string_view value);

// Reads of the cluster's log, with the caller's client.
Result<ClusterHead> ReadClusterHead(EtcdClient& etcd, const ClusterKeys& keys);
// The batches after `after` (a batch boundary), in order, up to `max_batches`, and the
// revision they were read at. An empty answer means the log ends at `after` as of that
// revision. kInternal when a stored batch does not follow the one before it.
struct ClusterBatches {
  std::vector<ReplicatedBatch> batches;
  std::int64_t revision = 0;
};
Result<ClusterBatches> ReadClusterBatches(EtcdClient& etcd, const ClusterKeys& keys,
                                          std::uint64_t after, std::size_t max_batches);

// The first sequence the cluster's log in etcd still holds (0: it holds none): the events
// before it were trimmed, and a node that lacks them needs a peer's checkpoint.
Result<std::uint64_t> ReadClusterWindowStart(EtcdClient& etcd, const ClusterKeys& keys);
// Deletes the batches that start at or before `through` (and their parts), then compacts
// etcd's history. REQUIRES: every node that follows the cluster has applied `through`, or
// will start from a checkpoint.
Status TrimCluster(EtcdClient& etcd, const ClusterKeys& keys, std::uint64_t through);

// The gate of a cluster node's log: while this node holds a fence, each batch is first
// appended to etcd as one transaction that succeeds only if the fence's election key still
// exists with its revision and the head is where this writer left it; only then does the log
// write it locally. Without a fence (a follower, or a writer that lost its role) every batch
// is refused with kUnavailable.
class EtcdLog : public BatchGate {
 public:
  // `on_deposed` is told (on the writer's thread; it must not block) when an append finds
  // that this node is no longer the writer, or gave a batch up as unknown: the fence is gone
  // by then.
  EtcdLog(EtcdLogOptions options, std::function<void(const std::string& why)> on_deposed);

  Status Admit(const ReplicatedBatch& batch) override EXCLUDES(mutex_);
  // OK while this node holds a fence (it may still have lost it without knowing yet).
  Status CheckWritable() override EXCLUDES(mutex_);

  // Makes this node the writer under `fence` (it has applied everything up to fence.head).
  void Arm(WriterFence fence) EXCLUDES(mutex_);
  // Takes the fence away: no batch is admitted until the next Arm. Thread-safe.
  void Disarm() EXCLUDES(mutex_);
  bool armed() const EXCLUDES(mutex_);

  const ClusterKeys& keys() const { return keys_; }
  const EtcdLogOptions& options() const { return options_; }
  // Seconds per committed append to etcd.
  const Histogram& append_seconds() const { return append_seconds_; }
  std::uint64_t unknown_outcomes() const {
    return unknown_outcomes_.load(std::memory_order_relaxed);
  }

 private:
  // Runs `txn` until etcd answers it: the revision it committed at. After a try that may have
  // been applied, a refused compare asks `landed` whether it was (the revision, read from
  // etcd; nullopt: it was not): a refused fence deposes the writer (kUnavailable, nothing
  // written); an outcome still unknown after settle_timeout, or when this node stopped being
  // the writer meanwhile, deposes it too, with kUnavailable saying the outcome is unknown.
  Result<std::int64_t> Settle(const WriterFence& fence, const EtcdTxn& txn,
                              const std::function<Result<std::optional<std::int64_t>>()>& landed);
  // Whether the log holds `value` as the batch starting at `first`: its mod revision.
  Result<std::optional<std::int64_t>> Landed(std::uint64_t first, const std::string& value);
  // Takes the fence away, if it is still `leader_key`'s, and tells on_deposed.
  void Depose(const std::string& leader_key, const std::string& why) EXCLUDES(mutex_);

  const EtcdLogOptions options_;
  const ClusterKeys keys_;
  std::function<void(const std::string&)> on_deposed_;
  Histogram append_seconds_;
  std::atomic<std::uint64_t> unknown_outcomes_{0};
  mutable Mutex mutex_;
  std::optional<WriterFence> fence_ GUARDED_BY(mutex_);
  EtcdClient client_;  // the writer's (Admit runs on the log's writer only)
};

}  // namespace flagledger

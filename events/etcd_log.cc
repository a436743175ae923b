#include "events/etcd_log.h"

#include <charconv>
#include <cstdio>
#include <thread>

#include "events/log_keys.h"

namespace flagledger {

namespace {

constexpr double kAppendSecondsBounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                           0.05,   0.1,   0.25,   0.5,   1,    2.5};
constexpr std::chrono::milliseconds kRetryPause{50};

std::optional<std::uint64_t> ParseSequence(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Status NotTheWriter() {
  return Status(ErrorCode::kUnavailable,
                "this node is not the cluster's writer (any more); nothing was written");
}

}  // namespace

std::string ClusterKeys::Batch(std::uint64_t first) const {
  char digits[21];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(first));
  return LogPrefix() + digits;
}

Result<ClusterHead> ReadClusterHead(EtcdClient& etcd, const ClusterKeys& keys) {
  auto range = etcd.Range(keys.Head());
  if (!range.ok()) return range.status();
  ClusterHead head;
  head.revision = range->revision;
  if (range->kvs.empty()) return head;
  auto sequence = ParseSequence(range->kvs.front().value);
  if (!sequence) {
    return Status(ErrorCode::kInternal, "the cluster's head in etcd is not a sequence: '" +
                                            range->kvs.front().value + "'");
  }
  head.sequence = *sequence;
  head.mod_revision = range->kvs.front().mod_revision;
  return head;
}

Result<ClusterBatches> ReadClusterBatches(EtcdClient& etcd, const ClusterKeys& keys,
                                          std::uint64_t after, std::size_t max_batches) {
  const std::string log_prefix = keys.LogPrefix();
  auto range = etcd.Range(keys.Batch(after + 1), internal::PrefixEnd(log_prefix),
                          static_cast<std::int64_t>(max_batches));
  if (!range.ok()) return range.status();
  ClusterBatches answer;
  answer.revision = range->revision;
  std::uint64_t expected = after + 1;
  for (const EtcdKeyValue& kv : range->kvs) {
    auto batch = DecodeReplicatedBatch(kv.value);
    if (!batch.ok()) {
      return Status(ErrorCode::kInternal,
                    "the cluster's batch " + kv.key + ": " + batch.status().detail());
    }
    if (batch->first != expected || kv.key != keys.Batch(batch->first)) {
      return Status(ErrorCode::kInternal, "the cluster's log in etcd has " + kv.key +
                                              " where the batch starting at event " +
                                              std::to_string(expected) + " should be");
    }
    expected = batch->last + 1;
    answer.batches.push_back(std::move(batch).value());
  }
  return answer;
}

EtcdLog::EtcdLog(EtcdLogOptions options, std::function<void(const std::string&)> on_deposed)
    : options_(std::move(options)),
      keys_{options_.prefix},
      on_deposed_(std::move(on_deposed)),
      append_seconds_(kAppendSecondsBounds),
      client_(options_.endpoints, options_.request_timeout) {}

void EtcdLog::Arm(WriterFence fence) {
  MutexLock lock(mutex_);
  fence_ = std::move(fence);
}

void EtcdLog::Disarm() {
  MutexLock lock(mutex_);
  fence_.reset();
}

bool EtcdLog::armed() const {
  MutexLock lock(mutex_);
  return fence_.has_value();
}

void EtcdLog::Depose(const std::string& leader_key, const std::string& why) {
  {
    MutexLock lock(mutex_);
    if (!fence_ || fence_->leader_key != leader_key) return;
    fence_.reset();
  }
  if (on_deposed_) on_deposed_(why);
}

Status EtcdLog::Admit(const ReplicatedBatch& batch) {
  std::optional<WriterFence> fence;
  {
    MutexLock lock(mutex_);
    fence = fence_;
  }
  if (!fence) return NotTheWriter();
  if (batch.first != fence->head.sequence + 1) {
    Depose(fence->leader_key, "the local log is not at the cluster's head");
    return Status(ErrorCode::kUnavailable, "this node's log is not at the cluster's head (event " +
                                               std::to_string(fence->head.sequence) +
                                               "); nothing was written");
  }
  const std::string encoded = EncodeReplicatedBatch(batch);
  if (encoded.size() > options_.max_batch_bytes) {
    return Status(ErrorCode::kUnavailable,
                  "a batch of " + std::to_string(encoded.size()) +
                      " bytes is larger than the cluster takes in one append (" +
                      std::to_string(options_.max_batch_bytes) + "); nothing was written");
  }
  EtcdTxn txn;
  txn.compare.push_back(
      {fence->leader_key, EtcdCompare::Target::kCreateRevision, fence->leader_revision, {}});
  txn.compare.push_back(
      {keys_.Head(), EtcdCompare::Target::kModRevision, fence->head.mod_revision, {}});
  txn.success_puts.push_back({keys_.Batch(batch.first), encoded, 0});
  txn.success_puts.push_back({keys_.Head(), std::to_string(batch.last), 0});
  txn.failure_gets.push_back(keys_.Head());
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + options_.settle_timeout;
  bool maybe_sent = false;  // an earlier try may have committed the batch
  for (;;) {
    auto result = client_.Txn(txn);
    if (result.ok() && result->succeeded) {
      append_seconds_.Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      MutexLock lock(mutex_);
      if (fence_ && fence_->leader_key == fence->leader_key) {
        fence_->head = {batch.last, result->revision, result->revision};
      }
      return Status::Ok();
    }
    if (result.ok()) {  // a compare failed
      auto earlier = maybe_sent ? CommittedEarlier(batch, encoded, *result) : Result<bool>(false);
      if (earlier.ok() && *earlier) {
        MutexLock lock(mutex_);
        if (fence_ && fence_->leader_key == fence->leader_key) {
          fence_->head = {batch.last, result->failure_values[0]->mod_revision, result->revision};
        }
        return Status::Ok();
      }
      if (earlier.ok()) {
        Depose(fence->leader_key, "the cluster refused an append: another writer was elected");
        return NotTheWriter();
      }
      result = earlier.status();  // not known yet: try again
    }
    if (result.status().code() != ErrorCode::kUnavailable) {
      // etcd refused the request itself (too large, malformed): nothing was written.
      return Status(ErrorCode::kUnavailable,
                    "the cluster refused the append: " + result.status().detail());
    }
    maybe_sent = true;
    if (std::chrono::steady_clock::now() >= deadline) {
      unknown_outcomes_.fetch_add(1, std::memory_order_relaxed);
      Depose(fence->leader_key,
             "etcd did not answer an append in time: " + result.status().detail());
      return Status(ErrorCode::kUnavailable,
                    "the cluster did not confirm the write in time, so its outcome is unknown; "
                    "retry it with the same Idempotency-Key: " +
                        result.status().detail());
    }
    {
      MutexLock lock(mutex_);
      if (!fence_ || fence_->leader_key != fence->leader_key) return NotTheWriter();
    }
    std::this_thread::sleep_for(kRetryPause);
  }
}

Result<bool> EtcdLog::CommittedEarlier(const ReplicatedBatch& batch, const std::string& encoded,
                                       const EtcdTxnResult& refused) {
  const std::optional<EtcdKeyValue>& head = refused.failure_values.at(0);
  if (!head || head->value != std::to_string(batch.last)) return false;
  auto stored = client_.Range(keys_.Batch(batch.first));
  if (!stored.ok()) return stored.status();
  return !stored->kvs.empty() && stored->kvs.front().value == encoded;
}

}  // namespace flagledger

#include "events/etcd_log.h"

#include <simdjson.h>

#include <charconv>
#include <cstdio>
#include <thread>

#include "core/json_writer.h"
#include "core/sha256.h"
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

namespace {

std::string Digits20(std::uint64_t value) {
  char digits[21];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(value));
  return digits;
}

}  // namespace

std::string ClusterKeys::Batch(std::uint64_t first) const { return LogPrefix() + Digits20(first); }

std::string ClusterKeys::PartsOf(std::uint64_t first) const {
  return prefix + "parts/" + Digits20(first) + "/";
}

std::string ClusterKeys::Part(std::uint64_t first, std::size_t part) const {
  char digits[7];
  std::snprintf(digits, sizeof digits, "%06zu", part);
  return PartsOf(first) + digits;
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

namespace {

constexpr std::string_view kManifestMark = "FLBM";
constexpr std::int64_t kPartsPerRead = 8;

// The parts `manifest` names, put together (read a few at a time: each is up to a request's
// size) and checked against its digest.
Result<std::string> ReadBatchParts(EtcdClient& etcd, const ClusterKeys& keys,
                                   const std::string& batch_key, const BatchManifest& manifest) {
  const std::uint64_t first =
      ParseSequence(std::string_view(batch_key).substr(keys.LogPrefix().size())).value_or(0);
  const std::string end = internal::PrefixEnd(keys.PartsOf(first));
  std::string whole;
  std::size_t part = 0;
  while (part < manifest.parts) {
    auto read = etcd.Range(keys.Part(first, part), end, kPartsPerRead);
    if (!read.ok()) return read.status();
    const std::size_t before = part;
    for (const EtcdKeyValue& kv : read->kvs) {
      if (part == manifest.parts || kv.key != keys.Part(first, part)) break;
      whole += kv.value;
      ++part;
    }
    if (part == before) break;  // the next part is missing
  }
  if (whole.size() != manifest.bytes || Sha256Hex(whole) != manifest.sha256) {
    return Status(ErrorCode::kInternal, "the parts of the cluster's batch " + batch_key +
                                            " are missing or do not match its digest");
  }
  return whole;
}

}  // namespace

std::string EncodeBatchManifest(std::size_t parts, std::size_t bytes, std::string_view sha256) {
  return std::string(kManifestMark) + std::to_string(parts) + " " + std::to_string(bytes) + " " +
         std::string(sha256);
}

std::optional<BatchManifest> DecodeBatchManifest(std::string_view value) {
  if (!value.starts_with(kManifestMark)) return std::nullopt;
  value.remove_prefix(kManifestMark.size());
  std::size_t first_space = value.find(' ');
  if (first_space == std::string_view::npos) return std::nullopt;
  std::size_t second_space = value.find(' ', first_space + 1);
  if (second_space == std::string_view::npos) return std::nullopt;
  auto parts = ParseSequence(value.substr(0, first_space));
  auto bytes = ParseSequence(value.substr(first_space + 1, second_space - first_space - 1));
  std::string_view digest = value.substr(second_space + 1);
  if (!parts || !bytes || *parts == 0 || digest.size() != 64 ||
      digest.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return std::nullopt;
  }
  return BatchManifest{static_cast<std::size_t>(*parts), static_cast<std::size_t>(*bytes),
                       std::string(digest)};
}

std::string EncodeCandidate(std::string_view node_id, std::string_view url) {
  return std::string(node_id) + " " + std::string(url);
}

std::pair<std::string, std::string> DecodeCandidate(std::string_view value) {
  std::size_t space = value.find(' ');
  if (space == std::string_view::npos) return {std::string(value), ""};
  return {std::string(value.substr(0, space)), std::string(value.substr(space + 1))};
}

std::string EncodeNodeReport(const NodeReport& report) {
  std::string value = R"({"url":)";
  AppendJsonString(value, report.url);
  value += R"(,"applied":)";
  AppendJsonUint(value, report.applied);
  value += report.writer ? R"(,"role":"writer"})" : R"(,"role":"follower"})";
  return value;
}

std::optional<NodeReport> DecodeNodeReport(std::string_view value) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(simdjson::padded_string(value)).get(root) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  NodeReport report;
  std::string_view url, role;
  if (root["url"].get(url) != simdjson::SUCCESS ||
      root["applied"].get(report.applied) != simdjson::SUCCESS ||
      root["role"].get(role) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  report.url = std::string(url);
  report.writer = role == "writer";
  return report;
}

Result<std::uint64_t> ReadClusterWindowStart(EtcdClient& etcd, const ClusterKeys& keys) {
  const std::string log_prefix = keys.LogPrefix();
  auto first = etcd.Range(log_prefix, internal::PrefixEnd(log_prefix), 1);
  if (!first.ok()) return first.status();
  if (first->kvs.empty()) return std::uint64_t{0};
  auto sequence = ParseSequence(std::string_view(first->kvs.front().key).substr(log_prefix.size()));
  if (!sequence) {
    return Status(ErrorCode::kInternal,
                  "a key of the cluster's log is not a sequence: " + first->kvs.front().key);
  }
  return *sequence;
}

Status TrimCluster(EtcdClient& etcd, const ClusterKeys& keys, std::uint64_t through) {
  auto batches = etcd.DeleteRange(keys.Batch(0), keys.Batch(through + 1));
  if (!batches.ok()) return batches.status();
  auto parts = etcd.DeleteRange(keys.PartsOf(0), keys.PartsOf(through + 1));
  if (!parts.ok()) return parts.status();
  // The deleted revisions stay in etcd's history until compacted.
  auto now = etcd.Range(keys.Head());
  if (!now.ok()) return now.status();
  return etcd.Compact(now->revision);
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
    std::string value = kv.value;
    if (auto manifest = DecodeBatchManifest(value)) {
      auto whole = ReadBatchParts(etcd, keys, kv.key, *manifest);
      if (!whole.ok()) return whole.status();
      value = std::move(*whole);
    }
    auto batch = DecodeReplicatedBatch(value);
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

Status EtcdLog::CheckWritable() { return armed() ? Status::Ok() : NotTheWriter(); }

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
  const auto started = std::chrono::steady_clock::now();
  std::string value = EncodeReplicatedBatch(batch);
  const EtcdCompare elected{
      fence->leader_key, EtcdCompare::Target::kCreateRevision, fence->leader_revision, {}};
  // A batch too large for one request goes first in parts, each fenced by the election key;
  // the append that follows commits the manifest that names them. Parts of an append that
  // never committed are overwritten by the next writer's, or trimmed.
  if (value.size() > options_.max_batch_bytes) {
    const std::size_t parts =
        (value.size() + options_.max_batch_bytes - 1) / options_.max_batch_bytes;
    for (std::size_t part = 0; part < parts; ++part) {
      EtcdTxn put;
      put.compare.push_back(elected);
      put.success_puts.push_back(
          {keys_.Part(batch.first, part),
           value.substr(part * options_.max_batch_bytes, options_.max_batch_bytes), 0});
      // A part that may have landed needs no answer: only the manifest commits the batch.
      auto stored =
          Settle(*fence, put, [] { return Result<std::optional<std::int64_t>>(std::nullopt); });
      if (!stored.ok()) return stored.status();
    }
    value = EncodeBatchManifest(parts, value.size(), Sha256Hex(value));
  }
  EtcdTxn txn;
  txn.compare.push_back(elected);
  txn.compare.push_back(
      {keys_.Head(), EtcdCompare::Target::kModRevision, fence->head.mod_revision, {}});
  txn.success_puts.push_back({keys_.Batch(batch.first), value, 0});
  txn.success_puts.push_back({keys_.Head(), std::to_string(batch.last), 0});
  txn.failure_gets.push_back(keys_.Head());
  auto committed = Settle(*fence, txn, [&] { return Landed(batch.first, value); });
  if (!committed.ok()) return committed.status();
  append_seconds_.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  MutexLock lock(mutex_);
  if (fence_ && fence_->leader_key == fence->leader_key) {
    fence_->head = {batch.last, *committed, *committed};
  }
  return Status::Ok();
}

Result<std::int64_t> EtcdLog::Settle(
    const WriterFence& fence, const EtcdTxn& txn,
    const std::function<Result<std::optional<std::int64_t>>()>& landed) {
  const auto deadline = std::chrono::steady_clock::now() + options_.settle_timeout;
  auto unknown = [&](const std::string& why) {
    unknown_outcomes_.fetch_add(1, std::memory_order_relaxed);
    Depose(fence.leader_key, "the cluster did not confirm an append: " + why);
    return Status(ErrorCode::kUnavailable,
                  "the cluster did not confirm the write, so its outcome is unknown; retry it "
                  "with the same Idempotency-Key: " +
                      why);
  };
  bool maybe_sent = false;  // an earlier try may have been applied
  for (;;) {
    auto result = client_.Txn(txn);
    if (result.ok() && result->succeeded) return result->revision;
    if (result.ok()) {
      // Refused: the fence no longer holds, and never will again (the head only moves on, and
      // an election key never comes back with its revision), so no earlier try can commit
      // from now on. Whether one did is in etcd.
      auto earlier = maybe_sent ? landed() : Result<std::optional<std::int64_t>>(std::nullopt);
      if (earlier.ok() && earlier->has_value()) return **earlier;
      if (earlier.ok()) {
        Depose(fence.leader_key, "the cluster refused an append: another writer was elected");
        return NotTheWriter();
      }
      result = earlier.status();  // not known yet: ask again
    } else if (result.status().code() != ErrorCode::kUnavailable) {
      // etcd refused the request itself (too large, malformed): this try wrote nothing.
      if (!maybe_sent) {
        return Status(ErrorCode::kUnavailable,
                      "the cluster refused the append: " + result.status().detail());
      }
      return unknown(result.status().detail());
    }
    maybe_sent = true;
    if (std::chrono::steady_clock::now() >= deadline) return unknown(result.status().detail());
    bool still_writer = false;
    {
      MutexLock lock(mutex_);
      still_writer = fence_ && fence_->leader_key == fence.leader_key;
    }
    if (!still_writer) return unknown("this node stopped being the writer meanwhile");
    std::this_thread::sleep_for(kRetryPause);
  }
}

Result<std::optional<std::int64_t>> EtcdLog::Landed(std::uint64_t first, const std::string& value) {
  auto stored = client_.Range(keys_.Batch(first));
  if (!stored.ok()) return stored.status();
  if (stored->kvs.empty() || stored->kvs.front().value != value) {
    return std::optional<std::int64_t>();
  }
  return std::optional<std::int64_t>(stored->kvs.front().mod_revision);
}

}  // namespace flagledger

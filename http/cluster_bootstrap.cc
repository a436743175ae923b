#include "http/cluster_bootstrap.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "events/event_log.h"
#include "events/log_keys.h"
#include "http/replica_bootstrap.h"

namespace flagledger {

namespace fs = std::filesystem;

namespace {

// The newest event of the node's own log (0 when it has none).
Result<std::uint64_t> LocalLastSequence(const std::string& data_dir) {
  if (NeedsBootstrap(data_dir)) return std::uint64_t{0};
  EventLogOptions options;
  options.secondary = true;  // reads only, and never upgrades
  auto log = EventLog::Open(data_dir, options);
  if (!log.ok()) return log.status();
  return (*log)->last_sequence();
}

// The peers' URLs: the writer first, then the others (not `node_id`).
Result<std::vector<std::string>> PeerUrls(EtcdClient& etcd, const ClusterKeys& keys,
                                          const std::string& node_id) {
  std::vector<std::string> urls;
  auto writer = etcd.Leader(keys.Election());
  if (!writer.ok()) return writer.status();
  if (*writer) {
    auto [writer_id, url] = DecodeCandidate((*writer)->value);
    if (writer_id != node_id && !url.empty()) urls.push_back(url);
  }
  const std::string prefix = keys.NodesPrefix();
  auto nodes = etcd.Range(prefix, internal::PrefixEnd(prefix));
  if (!nodes.ok()) return nodes.status();
  for (const EtcdKeyValue& node : nodes->kvs) {
    if (node.key == keys.Node(node_id)) continue;
    auto report = DecodeNodeReport(node.value);
    if (report && std::find(urls.begin(), urls.end(), report->url) == urls.end()) {
      urls.push_back(report->url);
    }
  }
  return urls;
}

}  // namespace

Result<bool> BootstrapClusterNode(const ClusterBootstrapOptions& options) {
  auto log = [&](std::string_view level, std::string_view message, const std::string& detail) {
    if (options.log) options.log(level, message, detail);
  };
  const ClusterKeys keys{options.prefix};
  EtcdClient etcd(options.etcd_endpoints, std::chrono::milliseconds(2000));
  auto start = ReadClusterWindowStart(etcd, keys);
  if (!start.ok()) return start.status();
  auto applied = LocalLastSequence(options.data_dir);
  if (!applied.ok()) return applied.status();
  if (*start <= *applied + 1) return false;
  auto cluster_id = etcd.Range(keys.LogId());
  if (!cluster_id.ok()) return cluster_id.status();
  auto peers = PeerUrls(etcd, keys, options.node_id);
  if (!peers.ok()) return peers.status();
  if (*applied > 0) {
    const fs::path data_dir(options.data_dir);
    const fs::path aside = data_dir / ("log.behind-" + std::to_string(*applied));
    std::error_code error;
    fs::remove_all(aside, error);
    fs::rename(data_dir / "log", aside, error);
    if (error) {
      return Status(ErrorCode::kInternal,
                    "cannot move the log aside to " + aside.string() + ": " + error.message());
    }
    log("warn", "this node's log ends before the cluster's log in etcd begins: moved it aside",
        "event " + std::to_string(*applied) + " of " + std::to_string(*start) + ", to " +
            aside.string());
  }
  Status last(ErrorCode::kUnavailable, "no other node of the cluster is known yet");
  for (const std::string& url : *peers) {
    log("info", "bootstrapping from a peer's checkpoint", url);
    auto fetched = BootstrapReplica(url, options.token, options.data_dir);
    if (!fetched.ok()) {
      last = fetched.status();
      log("warn", "a peer could not give its checkpoint", url + ": " + last.detail());
      continue;
    }
    const bool same_history =
        cluster_id->kvs.empty() || cluster_id->kvs.front().value == fetched->log_id;
    if (same_history && fetched->leader_sequence + 1 >= *start) {
      log("info", "bootstrapped from a peer's checkpoint",
          url + ": through event " + std::to_string(fetched->leader_sequence) + ", " +
              std::to_string(fetched->bytes) + " bytes");
      return true;
    }
    // Another history, or a peer as far behind: not a start for this node.
    std::error_code ignored;
    fs::remove_all(fs::path(options.data_dir) / "log", ignored);
    last = Status(ErrorCode::kUnavailable,
                  url + " holds no checkpoint that reaches the cluster's log in etcd");
  }
  return last;
}

}  // namespace flagledger

// A cluster node that lacks events the cluster's log in etcd no longer holds (it was down
// while the writer trimmed the log, or it is new) starts from a peer's checkpoint
// (GET /api/v1/replication/checkpoint), then follows the log in etcd from there.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "events/etcd_log.h"

namespace flagledger {

struct ClusterBootstrapOptions {
  std::vector<std::string> etcd_endpoints;
  std::string prefix = "flagledger/";
  std::string node_id;
  std::string data_dir;
  std::string token;  // a bearer token the peers grant the checkpoint (empty: none)
  // Told of what happens: (level, message, detail). May be empty.
  std::function<void(std::string_view, std::string_view, const std::string&)> log;
};

// Does nothing (false) when the node's log reaches the start of the cluster's log in etcd.
// Otherwise moves the node's log aside (to DATA_DIR/log.behind-<its last event>) and fetches
// the checkpoint of the writer, or of another node, that holds the start: true once done.
// kUnavailable when etcd or no peer could serve it (worth retrying).
Result<bool> BootstrapClusterNode(const ClusterBootstrapOptions& options);

}  // namespace flagledger

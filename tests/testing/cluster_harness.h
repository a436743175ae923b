// A flagledger cluster for tests: real etcd members and flagledger nodes on loopback, each
// node with its own data directory (README, "Running a cluster").
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "tests/testing/etcd_cluster.h"
#include "tests/testing/server_process.h"

namespace flagledger {

struct NodeHead {
  std::uint64_t sequence = 0;
  std::string hash;
  bool operator==(const NodeHead&) const = default;
  friend std::ostream& operator<<(std::ostream& out, const NodeHead& head) {
    return out << head.sequence << ":" << head.hash;
  }
};

class ClusterHarness {
 public:
  // `etcd_members` etcd members and `nodes` flagledger nodes (not started: StartAll), whose
  // data directories go under `dir`; `node_args` are added to every node's command line.
  ClusterHarness(const std::string& dir, int etcd_members, int nodes,
                 std::vector<std::string> node_args = {});

  EtcdCluster& etcd() { return *etcd_; }
  ServerProcess& node(int i) { return *nodes_[i]; }
  int size() const { return static_cast<int>(nodes_.size()); }

  void StartAll();
  // The node that /readyz says is the writer, once exactly one running node says so within
  // `timeout`; -1 when none did.
  int WaitForWriter(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // True once every running node has applied `sequence` (within `timeout`).
  bool WaitForApplied(std::uint64_t sequence,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // GET /api/v1/events/head of a running node: its newest event and that event's chain hash,
  // which covers every event before it.
  NodeHead Head(int node);
  // The role /readyz of a running node names ("writer", "follower"), or "" when it does not
  // answer 200.
  std::string Role(int node);

 private:
  std::unique_ptr<EtcdCluster> etcd_;
  std::vector<std::unique_ptr<ServerProcess>> nodes_;
};

}  // namespace flagledger

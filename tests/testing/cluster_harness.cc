#include "tests/testing/cluster_harness.h"

#include <regex>
#include <thread>

#include "tests/testing/http_client.h"

namespace flagledger {

namespace {

std::string Match(const std::string& text, const char* pattern) {
  std::smatch match;
  std::regex expression(pattern);
  return std::regex_search(text, match, expression) ? match[1].str() : "";
}

}  // namespace

ClusterHarness::ClusterHarness(const std::string& dir, int etcd_members, int nodes,
                               std::vector<std::string> node_args)
    : etcd_(std::make_unique<EtcdCluster>(dir, etcd_members)) {
  for (int i = 0; i < nodes; ++i) {
    std::vector<std::string> args = {"--cluster", etcd_->ClusterFlag(), "--node-id",
                                     "node" + std::to_string(i)};
    args.insert(args.end(), node_args.begin(), node_args.end());
    nodes_.push_back(
        std::make_unique<ServerProcess>(dir + "/node" + std::to_string(i), std::move(args)));
  }
}

void ClusterHarness::StartAll() {
  // Until ready: a follower is ready once it has caught up with the cluster.
  for (auto& node : nodes_) node->Start();
}

std::string ClusterHarness::Role(int node) {
  if (!nodes_[node]->running()) return "";
  try {
    HttpResult ready =
        HttpClient(nodes_[node]->port(), std::chrono::milliseconds(2000)).Send("GET", "/readyz");
    if (ready.status != 200) return "";
    return Match(ready.body, "\"role\":\"([a-z]+)\"");
  } catch (const std::exception&) {
    return "";
  }
}

int ClusterHarness::WaitForWriter(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    int writer = -1, writers = 0;
    for (int i = 0; i < size(); ++i) {
      if (Role(i) == "writer") {
        writer = i;
        ++writers;
      }
    }
    if (writers == 1) return writer;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  return -1;
}

NodeHead ClusterHarness::Head(int node) {
  HttpResult head = HttpClient(nodes_[node]->port(), std::chrono::milliseconds(5000))
                        .Send("GET", "/api/v1/events/head");
  NodeHead parsed;
  std::string sequence = Match(head.body, "\"sequence\":([0-9]+)");
  parsed.sequence = sequence.empty() ? 0 : std::stoull(sequence);
  parsed.hash = Match(head.body, "\"hash\":\"([0-9a-f]+)\"");
  return parsed;
}

bool ClusterHarness::WaitForApplied(std::uint64_t sequence, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    bool all = true;
    for (int i = 0; i < size() && all; ++i) {
      if (!nodes_[i]->running()) continue;
      try {
        all = Head(i).sequence >= sequence;
      } catch (const std::exception&) {
        all = false;
      }
    }
    if (all) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

}  // namespace flagledger

// `flagledger cluster status`: a cluster on etcd as its operator sees it.
#include <cstdio>
#include <string>
#include <thread>

#include "events/etcd_client.h"
#include "events/etcd_log.h"
#include "events/log_keys.h"
#include "tools/command_options.h"
#include "tools/offline_commands.h"
#include "tools/serve_config.h"

namespace flagledger {
namespace {

constexpr char kHelp[] = R"(Usage: flagledger cluster status --cluster etcd=URL[,URL...]

Prints a cluster on etcd as its operator sees it:
  - each etcd member: its id, whether it leads, its database size, its version (or why it
    does not answer), and the alarms raised (NOSPACE: etcd reached its --quota-backend-bytes,
    2 GiB by default, and refuses writes);
  - the cluster's log: its id, its head, the events the log in etcd still holds;
  - the writer (the election's leader) and every live node with the event it has applied.
Exits 0 when etcd answers, a writer is elected and no alarm is raised; 1 otherwise.
)";

void PrintMembers(EtcdClient& etcd, const std::vector<std::string>& endpoints, bool& healthy) {
  std::printf("etcd members:\n");
  for (const std::string& endpoint : endpoints) {
    EtcdClient one({endpoint}, std::chrono::milliseconds(2000));
    auto status = one.MemberStatuses();
    if (!status.ok()) {
      std::printf("  %s  unreachable: %s\n", endpoint.c_str(), status.status().detail().c_str());
      continue;
    }
    const EtcdMemberStatus& member = status->front();
    std::printf("  %s  member %llu%s  db %lld bytes (%lld in use)  etcd %s\n", endpoint.c_str(),
                static_cast<unsigned long long>(member.member_id),
                member.member_id == member.leader_id ? "  leader" : "",
                static_cast<long long>(member.db_size),
                static_cast<long long>(member.db_size_in_use), member.version.c_str());
  }
  auto alarms = etcd.Alarms();
  if (!alarms.ok()) {
    std::printf("etcd alarms: unknown (%s)\n", alarms.status().detail().c_str());
    healthy = false;
  } else if (alarms->empty()) {
    std::printf("etcd alarms: none\n");
  } else {
    healthy = false;
    for (const EtcdClient::Alarm& alarm : *alarms) {
      std::printf("etcd alarm: %s on member %llu\n", alarm.alarm.c_str(),
                  static_cast<unsigned long long>(alarm.member_id));
    }
  }
}

int PrintStatus(const std::vector<std::string>& endpoints) {
  EtcdClient etcd(endpoints, std::chrono::milliseconds(2000));
  const ClusterKeys keys{"flagledger/"};
  // etcd may be electing a leader: give it a few seconds.
  auto log_id = etcd.Range(keys.LogId());
  for (int tries = 1; !log_id.ok() && tries < 25; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    log_id = etcd.Range(keys.LogId());
  }
  if (!log_id.ok()) {
    std::fprintf(stderr, "flagledger cluster: cannot reach etcd: %s\n",
                 log_id.status().detail().c_str());
    return 1;
  }
  bool healthy = true;
  PrintMembers(etcd, endpoints, healthy);
  auto head = ReadClusterHead(etcd, keys);
  auto start = ReadClusterWindowStart(etcd, keys);
  if (!head.ok() || !start.ok()) {
    std::fprintf(stderr, "flagledger cluster: %s\n",
                 (!head.ok() ? head.status() : start.status()).detail().c_str());
    return 1;
  }
  std::printf("log id: %s\n",
              log_id->kvs.empty() ? "(none yet)" : log_id->kvs.front().value.c_str());
  std::printf("head: event %llu\n", static_cast<unsigned long long>(head->sequence));
  if (*start == 0) {
    std::printf("log in etcd: empty\n");
  } else {
    std::printf("log in etcd: events %llu to %llu%s\n", static_cast<unsigned long long>(*start),
                static_cast<unsigned long long>(head->sequence),
                *start > 1 ? " (the earlier ones were trimmed)" : "");
  }
  auto writer = etcd.Leader(keys.Election());
  if (!writer.ok() || !*writer) {
    std::printf("writer: none elected\n");
    healthy = false;
  } else {
    std::printf("writer: %s (term %lld)\n", (*writer)->value.c_str(),
                static_cast<long long>((*writer)->create_revision));
  }
  const std::string prefix = keys.NodesPrefix();
  auto nodes = etcd.Range(prefix, internal::PrefixEnd(prefix));
  if (nodes.ok()) {
    std::printf("nodes:\n");
    for (const EtcdKeyValue& node : nodes->kvs) {
      std::printf("  %s  %s\n", node.key.substr(prefix.size()).c_str(), node.value.c_str());
    }
  }
  return healthy ? 0 : 1;
}

}  // namespace

int RunCluster(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::fputs(kHelp, stderr);
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (args[0] != "status") {
    std::fprintf(stderr, "flagledger cluster: unknown subcommand '%s'\n\n%s", args[0].c_str(),
                 kHelp);
    return 2;
  }
  auto options = ParseCommandOptions({args.begin() + 1, args.end()}, {"cluster"}, {});
  if (!options.ok()) {
    std::fprintf(stderr, "flagledger cluster: %s\n", options.status().detail().c_str());
    return 2;
  }
  if (options->has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!options->has("cluster")) {
    std::fprintf(stderr, "flagledger cluster: --cluster etcd=URL[,URL...] is required\n");
    return 2;
  }
  auto endpoints = ParseClusterSetting(options->get("cluster"));
  if (!endpoints.ok()) {
    std::fprintf(stderr, "flagledger cluster: %s\n", endpoints.status().detail().c_str());
    return 2;
  }
  return PrintStatus(*endpoints);
}

}  // namespace flagledger

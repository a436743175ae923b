// A cluster on etcd against real binaries: three etcd members (Debian's etcd-server) and
// flagledger nodes on loopback (README, "Running a cluster"; docs/api.md, section 12).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include "events/etcd_client.h"
#include "events/etcd_log.h"
#include "tests/testing/cluster_harness.h"
#include "tests/testing/http_client.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kFlags = "/api/v1/organizations/acme/feature-flags";

HttpResult Create(std::uint16_t port, const std::string& key, bool enabled = true) {
  return HttpClient(port, milliseconds(10000))
      .Send("POST", kFlags,
            R"({"flag_key":")" + key + R"(","enabled":)" + (enabled ? "true" : "false") + "}");
}

std::uint64_t Sequence(const HttpResult& result) {
  return std::stoull("0" + result.Header("Flagledger-Event-Sequence"));
}

// Creates flags through `port` until one is acknowledged or `timeout` passes; the time taken.
std::chrono::milliseconds FirstAcknowledgedWrite(std::uint16_t port, const std::string& key,
                                                 std::chrono::milliseconds timeout) {
  auto started = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - started < timeout) {
    try {
      if (Create(port, key).status == 201) break;
    } catch (const std::exception&) {
      // not answering yet
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
}

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<ClusterHarness>(dir_.path(), 3, 3,
                                                std::vector<std::string>{"--lease-ttl", "2"});
    cluster_->StartAll();
    writer_ = cluster_->WaitForWriter();
    ASSERT_GE(writer_, 0) << "no writer was elected";
  }

  // The nodes other than the writer.
  std::vector<int> Followers() const {
    std::vector<int> followers;
    for (int i = 0; i < cluster_->size(); ++i) {
      if (i != writer_) followers.push_back(i);
    }
    return followers;
  }

  // Every running node holds the same history: the same newest event and chain hash.
  void ExpectSameHistoryEverywhere(std::uint64_t at_least) {
    ASSERT_TRUE(cluster_->WaitForApplied(at_least));
    std::uint64_t newest = 0;
    for (int i = 0; i < cluster_->size(); ++i) {
      if (cluster_->node(i).running()) newest = std::max(newest, cluster_->Head(i).sequence);
    }
    ASSERT_TRUE(cluster_->WaitForApplied(newest));
    NodeHead reference;
    for (int i = 0; i < cluster_->size(); ++i) {
      if (!cluster_->node(i).running()) continue;
      NodeHead head = cluster_->Head(i);
      if (reference.hash.empty()) reference = head;
      EXPECT_EQ(head, reference) << "node " << i;
    }
  }

  TempDir dir_;
  std::unique_ptr<ClusterHarness> cluster_;
  int writer_ = -1;
};

TEST_F(ClusterTest, OneWriterIsElectedAndEveryNodeHoldsItsHistoryByteForByte) {
  ServerProcess& writer = cluster_->node(writer_);
  std::uint64_t last = 0;
  for (int i = 0; i < 20; ++i) {
    HttpResult created = Create(writer.port(), "flag-" + std::to_string(i));
    ASSERT_EQ(created.status, 201) << created.body;
    last = Sequence(created);
  }
  HttpResult updated = HttpClient(writer.port())
                           .Send("PUT", kFlags + "/flag-3", R"({"enabled":false})",
                                 {{"Idempotency-Key", "update-3"}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  last = Sequence(updated);
  ExpectSameHistoryEverywhere(last);
  // The metrics name the writer on every node.
  for (int i = 0; i < cluster_->size(); ++i) {
    HttpResult metrics = HttpClient(cluster_->node(i).port()).Send("GET", "/metrics");
    EXPECT_NE(metrics.body.find("flagledger_cluster_info{node_id=\"node" + std::to_string(i) +
                                "\",writer_id=\"node" + std::to_string(writer_) + "\""),
              std::string::npos)
        << metrics.body.substr(0, 2000);
    EXPECT_NE(
        metrics.body.find(std::string("flagledger_cluster_writer ") + (i == writer_ ? "1" : "0")),
        std::string::npos);
  }
  // Every node serves the same state.
  for (int i = 0; i < cluster_->size(); ++i) {
    HttpResult flag = HttpClient(cluster_->node(i).port()).Send("GET", kFlags + "/flag-3");
    ASSERT_EQ(flag.status, 200);
    EXPECT_NE(flag.body.find("\"enabled\":false"), std::string::npos) << "node " << i;
  }
  // The idempotency key's stored answer went with the batch: a retry on any node that becomes
  // the writer gets it. Here: the same writer answers the retry without a new event.
  HttpResult retried = HttpClient(writer.port())
                           .Send("PUT", kFlags + "/flag-3", R"({"enabled":false})",
                                 {{"Idempotency-Key", "update-3"}});
  EXPECT_EQ(retried.status, 200);
  EXPECT_EQ(cluster_->Head(writer_).sequence, last);
}

TEST_F(ClusterTest, AFollowerRefusesWritesNamingTheWriterAndAppendsNothing) {
  HttpResult created = Create(cluster_->node(writer_).port(), "before");
  ASSERT_EQ(created.status, 201);
  ASSERT_TRUE(cluster_->WaitForApplied(Sequence(created)));
  const std::string writer_url =
      "http://127.0.0.1:" + std::to_string(cluster_->node(writer_).port());
  for (int follower : Followers()) {
    NodeHead before = cluster_->Head(follower);
    HttpClient client(cluster_->node(follower).port());
    for (const auto& [method, target, body] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"POST", kFlags, R"({"flag_key":"refused","enabled":true})"},
             {"PUT", kFlags + "/before", R"({"enabled":false})"},
             {"DELETE", kFlags + "/before", ""}}) {
      HttpResult refused = client.Send(method, target, body);
      EXPECT_EQ(refused.status, 503) << method;
      EXPECT_NE(refused.body.find("\"code\":\"read_only_replica\""), std::string::npos);
      EXPECT_EQ(refused.Header("Flagledger-Leader"), writer_url);
    }
    // Reads are served.
    EXPECT_EQ(client.Send("GET", kFlags + "/before").status, 200);
    EXPECT_EQ(cluster_->Head(follower), before);
  }
  ExpectSameHistoryEverywhere(1);
}

TEST_F(ClusterTest, AFollowerReadsAWriteItWasToldOfWithMinSequence) {
  const int follower = Followers().front();
  HttpClient reader(cluster_->node(follower).port());
  for (int i = 0; i < 20; ++i) {
    const std::string key = "ryw-" + std::to_string(i);
    HttpResult created = Create(cluster_->node(writer_).port(), key);
    ASSERT_EQ(created.status, 201);
    HttpResult read = reader.Send("GET", kFlags + "/" + key, "",
                                  {{"Flagledger-Min-Sequence", std::to_string(Sequence(created))}});
    ASSERT_EQ(read.status, 200) << read.body;
    EXPECT_GE(Sequence(read), Sequence(created));
  }
  // A sequence the cluster never reaches: 503 replica_behind once the wait is over.
  HttpResult behind =
      reader.Send("GET", kFlags + "/ryw-0", "", {{"Flagledger-Min-Sequence", "1000000"}});
  EXPECT_EQ(behind.status, 503);
  EXPECT_NE(behind.body.find("\"code\":\"replica_behind\""), std::string::npos) << behind.body;
}

TEST_F(ClusterTest, AKilledWriterIsReplacedAndNoAcknowledgedWriteIsLost) {
  std::vector<std::string> acknowledged;
  for (int i = 0; i < 10; ++i) {
    std::string key = "acked-" + std::to_string(i);
    ASSERT_EQ(Create(cluster_->node(writer_).port(), key).status, 201);
    acknowledged.push_back(key);
  }
  const int old_writer = writer_;
  cluster_->node(old_writer).Kill();
  // Whichever follower is elected takes writes within the lease (2 s) and an election.
  int next = -1;
  auto deadline = std::chrono::steady_clock::now() + seconds(15);
  while (next < 0 && std::chrono::steady_clock::now() < deadline) {
    next = cluster_->WaitForWriter(milliseconds(200));
  }
  ASSERT_GE(next, 0);
  ASSERT_NE(next, old_writer);
  writer_ = next;
  std::chrono::milliseconds took =
      FirstAcknowledgedWrite(cluster_->node(next).port(), "after", seconds(15));
  EXPECT_LT(took, seconds(15));
  for (const std::string& key : acknowledged) {
    EXPECT_EQ(HttpClient(cluster_->node(next).port()).Send("GET", kFlags + "/" + key).status, 200)
        << key;
  }
  // The old writer comes back as a follower and catches up.
  cluster_->node(old_writer).Start();
  EXPECT_EQ(cluster_->Role(old_writer), "follower");
  ExpectSameHistoryEverywhere(cluster_->Head(next).sequence);
}

TEST_F(ClusterTest, ATerminatedWriterHandsItsRoleOver) {
  ASSERT_EQ(Create(cluster_->node(writer_).port(), "before").status, 201);
  const int old_writer = writer_;
  EXPECT_EQ(cluster_->node(old_writer).Stop(), 0);
  EXPECT_NE(cluster_->node(old_writer).Log().find("handed the cluster's writer role over"),
            std::string::npos);
  int next = cluster_->WaitForWriter(seconds(10));
  ASSERT_GE(next, 0);
  EXPECT_NE(next, old_writer);
  EXPECT_LT(FirstAcknowledgedWrite(cluster_->node(next).port(), "after", seconds(10)), seconds(10));
}

TEST_F(ClusterTest, APausedWriterCannotAppendOnceAnotherIsElected) {
  ServerProcess& zombie = cluster_->node(writer_);
  ASSERT_EQ(Create(zombie.port(), "before").status, 201);
  const int old_writer = writer_;
  ASSERT_EQ(kill(zombie.pid(), SIGSTOP), 0);
  // A write sent to the paused writer waits in its socket until it resumes. Its answer:
  // 503, or 201 only if the old writer is elected again first (possible on a slow machine,
  // when the new writer in turn misses its lease); either way the history below tells.
  int late_status = 0;
  std::thread late([&] {
    try {
      late_status = Create(zombie.port(), "zombie-write").status;
    } catch (const std::exception&) {
      // no answer is no acknowledgement either
    }
  });
  int next = -1;
  auto deadline = std::chrono::steady_clock::now() + seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    for (int i : Followers()) {
      if (cluster_->Role(i) == "writer") next = i;
    }
    if (next >= 0) break;
    std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_GE(next, 0) << "no follower took over from the paused writer";
  writer_ = next;
  HttpResult on_new = Create(cluster_->node(next).port(), "on-the-new-writer");
  ASSERT_EQ(on_new.status, 201);
  ASSERT_EQ(kill(zombie.pid(), SIGCONT), 0);
  late.join();
  // The old writer learned it lost its role (and every node holds one history, the new
  // writer's write included).
  deadline = std::chrono::steady_clock::now() + seconds(15);
  while (zombie.Log().find("stopped being the cluster's writer") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_NE(zombie.Log().find("stopped being the cluster's writer"), std::string::npos);
  ExpectSameHistoryEverywhere(Sequence(on_new));
  EXPECT_TRUE(late_status == 201 || late_status == 503 || late_status == 0) << late_status;
  for (int i = 0; i < cluster_->size(); ++i) {
    HttpClient client(cluster_->node(i).port());
    EXPECT_EQ(client.Send("GET", kFlags + "/on-the-new-writer").status, 200) << "node " << i;
    if (late_status != 201) {
      EXPECT_EQ(client.Send("GET", kFlags + "/zombie-write").status, 404) << "node " << i;
    }
  }
  if (late_status == 201) {
    // Acknowledged only after the old writer was elected again.
    EXPECT_GE(cluster_->Head(old_writer).sequence, Sequence(on_new));
  }
}

TEST_F(ClusterTest, WritesGoOnWhenTheEtcdLeaderIsLost) {
  std::vector<std::string> acknowledged;
  ASSERT_EQ(Create(cluster_->node(writer_).port(), "before").status, 201);
  acknowledged.push_back("before");
  const int etcd_leader = cluster_->etcd().LeaderIndex();
  ASSERT_GE(etcd_leader, 0);
  cluster_->etcd().Kill(etcd_leader);
  // Writes stall while etcd elects a new leader, then go on (through whichever node writes).
  std::string key = "during";
  auto deadline = std::chrono::steady_clock::now() + seconds(20);
  bool written = false;
  while (!written && std::chrono::steady_clock::now() < deadline) {
    int writer = cluster_->WaitForWriter(milliseconds(500));
    if (writer < 0) continue;
    try {
      written = Create(cluster_->node(writer).port(), key).status == 201;
    } catch (const std::exception&) {
    }
    writer_ = writer;
  }
  ASSERT_TRUE(written);
  acknowledged.push_back(key);
  cluster_->etcd().Restart(etcd_leader);
  for (int i = 0; i < cluster_->size(); ++i) {
    for (const std::string& flag : acknowledged) {
      ASSERT_TRUE(cluster_->WaitForApplied(cluster_->Head(writer_).sequence));
      EXPECT_EQ(HttpClient(cluster_->node(i).port()).Send("GET", kFlags + "/" + flag).status, 200)
          << flag << " on node " << i;
    }
  }
  ExpectSameHistoryEverywhere(2);
}

TEST_F(ClusterTest, ANodeWithAnotherHistoryCannotJoin) {
  ASSERT_EQ(Create(cluster_->node(writer_).port(), "cluster-flag").status, 201);
  // A single node's data directory, with a history of its own.
  TempDir alone_dir;
  ServerProcess alone(alone_dir.Sub("data"));
  alone.Start();
  ASSERT_EQ(Create(alone.port(), "own-flag").status, 201);
  ASSERT_EQ(alone.Stop(), 0);
  CommandResult joined = RunFlagledger("serve --data-dir " + alone_dir.Sub("data") +
                                       " --listen 127.0.0.1:0 --cluster " +
                                       cluster_->etcd().ClusterFlag() + " --node-id stranger");
  EXPECT_EQ(joined.exit_code, 1) << joined.out;
  EXPECT_NE(joined.out.find("is not the cluster's"), std::string::npos) << joined.out;
}

TEST_F(ClusterTest, ARestartedNodeCatchesUpFromTheCluster) {
  const int follower = Followers().front();
  ASSERT_EQ(cluster_->node(follower).Stop(), 0);
  std::uint64_t last = 0;
  for (int i = 0; i < 30; ++i) {
    HttpResult created = Create(cluster_->node(writer_).port(), "while-away-" + std::to_string(i));
    ASSERT_EQ(created.status, 201);
    last = Sequence(created);
  }
  cluster_->node(follower).Start();
  ExpectSameHistoryEverywhere(last);
  // Its data directory verifies once stopped.
  ASSERT_EQ(cluster_->node(follower).Stop(), 0);
  CommandResult verified =
      RunFlagledger("verify --data-dir " + cluster_->node(follower).data_dir());
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
}

TEST_F(ClusterTest, ClusterStatusShowsTheMembersTheWriterAndTheNodes) {
  HttpResult created = Create(cluster_->node(writer_).port(), "status-flag");
  ASSERT_EQ(created.status, 201);
  ASSERT_TRUE(cluster_->WaitForApplied(Sequence(created)));
  // Each node reports itself within a second of joining.
  auto every_node_listed = [&](const std::string& out) {
    for (int i = 0; i < cluster_->size(); ++i) {
      if (out.find("  node" + std::to_string(i) + "  {") == std::string::npos) return false;
    }
    return true;
  };
  CommandResult status;
  auto deadline = std::chrono::steady_clock::now() + seconds(15);
  do {
    status = RunFlagledger("cluster status --cluster " + cluster_->etcd().ClusterFlag());
  } while (!(status.exit_code == 0 && every_node_listed(status.out)) &&
           std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(status.exit_code, 0) << status.out;
  EXPECT_NE(status.out.find("leader"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("etcd alarms: none"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("head: event " + std::to_string(Sequence(created))), std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("writer: node" + std::to_string(writer_) + " "), std::string::npos)
      << status.out;
  EXPECT_TRUE(every_node_listed(status.out)) << status.out;
  // A lost etcd member (not the leader) is named; the others still answer.
  int leader = -1;
  for (int tries = 0; leader < 0 && tries < 100; ++tries) {
    leader = cluster_->etcd().LeaderIndex();
    if (leader < 0) std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_GE(leader, 0);
  cluster_->etcd().Kill((leader + 1) % 3);
  CommandResult degraded =
      RunFlagledger("cluster status --cluster " + cluster_->etcd().ClusterFlag());
  EXPECT_NE(degraded.out.find("unreachable"), std::string::npos) << degraded.out;
  // No etcd at all, and bad usage.
  CommandResult unreachable = RunFlagledger("cluster status --cluster etcd=http://127.0.0.1:" +
                                            std::to_string(FreeLoopbackPort()));
  EXPECT_EQ(unreachable.exit_code, 1) << unreachable.out;
  EXPECT_NE(unreachable.out.find("cannot reach etcd"), std::string::npos) << unreachable.out;
  EXPECT_EQ(RunFlagledger("cluster status").exit_code, 2);
  EXPECT_EQ(RunFlagledger("cluster status --cluster 127.0.0.1:2379").exit_code, 2);
  EXPECT_EQ(RunFlagledger("cluster frobnicate").exit_code, 2);
  EXPECT_EQ(RunFlagledger("cluster --help").exit_code, 0);
}

// The writer's view of where the log in etcd begins (its metrics).
std::uint64_t WindowStart(std::uint16_t writer_port) {
  HttpResult metrics = HttpClient(writer_port).Send("GET", "/metrics");
  std::smatch match;
  static const std::regex kStart(R"(flagledger_cluster_window_start_sequence (\d+))");
  return std::regex_search(metrics.body, match, kStart) ? std::stoull(match[1]) : 0;
}

TEST(ClusterWindow, ANodeLeftBehindTheTrimmedLogStartsFromAPeersCheckpoint) {
  TempDir dir;
  ClusterHarness cluster(dir.path(), 3, 3, {"--lease-ttl", "2", "--cluster-window", "5"});
  cluster.StartAll();
  const int writer = cluster.WaitForWriter();
  ASSERT_GE(writer, 0);
  const int away = (writer + 1) % 3;
  const std::uint16_t port = cluster.node(writer).port();
  std::uint64_t last = 0;
  auto write = [&](const std::string& prefix, int count) {
    for (int i = 0; i < count; ++i) {
      HttpResult created = Create(port, prefix + std::to_string(i));
      ASSERT_EQ(created.status, 201);
      last = Sequence(created);
    }
  };
  write("early-", 5);
  ASSERT_TRUE(cluster.WaitForApplied(last));
  const std::uint64_t away_applied = last;
  ASSERT_EQ(cluster.node(away).Stop(), 0);
  // While it is away the writer keeps only the newest 5 events in etcd.
  write("while-away-", 40);
  auto deadline = std::chrono::steady_clock::now() + seconds(20);
  while (WindowStart(port) <= away_applied + 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_GT(WindowStart(port), away_applied + 1);

  cluster.node(away).Start();
  const std::string log = cluster.node(away).Log();
  EXPECT_NE(log.find("moved it aside"), std::string::npos) << log;
  EXPECT_NE(log.find("bootstrapped from a peer's checkpoint"), std::string::npos) << log;
  EXPECT_TRUE(std::filesystem::exists(cluster.node(away).data_dir() + "/log.behind-" +
                                      std::to_string(away_applied)));
  ASSERT_TRUE(cluster.WaitForApplied(last));
  EXPECT_EQ(cluster.Head(away), cluster.Head(writer));

  // A new node (an empty data directory) starts the same way.
  ASSERT_EQ(cluster.node(away).Stop(), 0);
  std::filesystem::remove_all(cluster.node(away).data_dir());
  write("later-", 10);
  cluster.node(away).Start();
  ASSERT_TRUE(cluster.WaitForApplied(last));
  EXPECT_EQ(cluster.Head(away), cluster.Head(writer));
  EXPECT_EQ(HttpClient(cluster.node(away).port()).Send("GET", kFlags + "/early-0").status, 200);
}

}  // namespace
}  // namespace flagledger

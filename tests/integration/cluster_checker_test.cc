// A Jepsen-style check of a cluster on etcd: clients write through whichever node answers while
// a nemesis kills, pauses and restarts flagledger writers and etcd members; afterwards every
// acknowledged write must be in every node's log, with its acknowledged content, once.
// FLAGLEDGER_CHECKER_SECONDS sets the length of the load (default 30); the figures of each
// run are printed (README, "Running a cluster").
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "events/event_codec.h"
#include "events/event_log.h"
#include "tests/testing/cluster_harness.h"
#include "tests/testing/http_client.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kOrg = "/api/v1/organizations/jepsen/feature-flags";
constexpr int kClients = 8;
constexpr int kNodes = 3;
constexpr int kContendedFlags = 4;
constexpr int kLeaseSeconds = 2;

// A write the cluster acknowledged (2xx), and what it must have done.
struct Acknowledged {
  std::string flag_key;
  std::string idempotency;     // its Idempotency-Key (each attempt's X-Request-Id is KEY.N)
  std::uint64_t sequence = 0;  // Flagledger-Event-Sequence of the answer
  std::uint64_t version = 0;   // its ETag
  bool create = false;
  bool enabled = false;     // creates: the value sent
  std::string min_version;  // conditional updates: the value sent
};

struct Figures {
  int attempts = 0, acknowledged = 0, conditional_acknowledged = 0, refused = 0, unknown = 0;
  int redirected = 0, precondition_failed = 0;
};

// The nodes' ports as the clients see them (the nemesis changes them on restarts).
class PortTable {
 public:
  void Set(int node, std::uint16_t port) {
    std::lock_guard lock(mutex_);
    ports_[node] = port;
  }
  std::uint16_t Get(int node) const {
    std::lock_guard lock(mutex_);
    auto it = ports_.find(node);
    return it == ports_.end() ? 0 : it->second;
  }
  int NodeOf(const std::string& url) const {
    std::lock_guard lock(mutex_);
    for (const auto& [node, port] : ports_) {
      if (url == "http://127.0.0.1:" + std::to_string(port)) return node;
    }
    return -1;
  }

 private:
  mutable std::mutex mutex_;
  std::map<int, std::uint16_t> ports_;
};

class Checker {
 public:
  Checker(ClusterHarness& cluster, seconds duration) : cluster_(cluster), duration_(duration) {
    for (int i = 0; i < kNodes; ++i) ports_.Set(i, cluster_.node(i).port());
  }

  void Run() {
    deadline_ = Clock::now() + duration_;
    started_ = Clock::now();
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) clients.emplace_back([this, c] { RunClient(c); });
    RunNemesis();
    for (std::thread& client : clients) client.join();
  }

  // Brings every node and etcd member back and waits for one writer and one history.
  void Heal() {
    for (int m = 0; m < cluster_.etcd().size(); ++m) {
      if (!cluster_.etcd().running(m)) cluster_.etcd().Restart(m);
    }
    for (int i = 0; i < kNodes; ++i) {
      if (!cluster_.node(i).running()) cluster_.node(i).Start(false);
    }
    const int writer = cluster_.WaitForWriter(seconds(30));
    ASSERT_GE(writer, 0);
    ASSERT_TRUE(cluster_.WaitForApplied(cluster_.Head(writer).sequence, seconds(30)));
  }

  // Checks the logs of every node (stopped) against the acknowledged writes.
  void Check() {
    std::vector<std::vector<std::string>> logs;
    for (int i = 0; i < kNodes; ++i) {
      ASSERT_EQ(cluster_.node(i).Stop(), 0) << cluster_.node(i).Log();
      EventLogOptions options;
      options.secondary = true;
      auto log = EventLog::Open(cluster_.node(i).data_dir(), options);
      ASSERT_TRUE(log.ok()) << log.status().detail();
      std::vector<std::string> events;
      std::uint64_t expected = 1;
      ASSERT_TRUE((*log)
                      ->Scan(EventRange{},
                             [&](std::uint64_t sequence, std::string_view json) {
                               EXPECT_EQ(sequence, expected) << "node " << i << ": a gap";
                               expected = sequence + 1;
                               events.emplace_back(json);
                               return true;
                             })
                      .ok());
      logs.push_back(std::move(events));
      CommandResult verified = RunFlagledger("verify --data-dir " + cluster_.node(i).data_dir());
      EXPECT_EQ(verified.exit_code, 0) << "node " << i << ": " << verified.out;
    }
    // Byte for byte the same history on every node (a node may lag only if it were down, and
    // none is: each caught up before it was stopped).
    for (int i = 1; i < kNodes; ++i) {
      EXPECT_EQ(logs[i].size(), logs[0].size()) << "node " << i;
      std::size_t common = std::min(logs[i].size(), logs[0].size());
      for (std::size_t s = 0; s < common; ++s) {
        ASSERT_EQ(logs[i][s], logs[0][s]) << "node " << i << " differs at event " << s + 1;
      }
    }
    EventDecoder decoder;
    std::vector<Event> events;
    std::map<std::string, std::vector<std::uint64_t>> by_request_prefix;  // idempotency key
    for (const std::string& json : logs[0]) {
      auto event = decoder.Decode(json);
      ASSERT_TRUE(event.ok()) << event.status().detail();
      std::string request = event->request_id.substr(0, event->request_id.rfind('.'));
      by_request_prefix[request].push_back(event->sequence);
      events.push_back(std::move(event).value());
    }
    std::set<std::pair<std::string, std::uint64_t>> claimed_versions;
    int lost = 0;
    for (const Acknowledged& ack : acknowledged_) {
      auto took = by_request_prefix.find(ack.idempotency);
      std::size_t effects = took == by_request_prefix.end() ? 0 : took->second.size();
      EXPECT_LE(effects, 1u) << ack.idempotency << " took effect " << effects << " times";
      if (ack.sequence == 0 || ack.sequence > events.size()) {
        ++lost;
        ADD_FAILURE() << "acknowledged " << ack.idempotency << " at event " << ack.sequence
                      << " is not in the log of " << events.size() << " events";
        continue;
      }
      const Event& event = events[ack.sequence - 1];
      const std::string took_by = event.request_id.substr(0, event.request_id.rfind('.'));
      bool matches = event.flag_key == ack.flag_key && took_by == ack.idempotency &&
                     event.version == ack.version && event.flag.has_value();
      if (matches && ack.create) {
        matches = event.type == EventType::kFlagCreated && event.flag->enabled == ack.enabled;
      } else if (matches) {
        matches = event.type == EventType::kFlagUpdated && event.flag->rollout_condition &&
                  event.flag->rollout_condition->min_version &&
                  event.flag->rollout_condition->min_version->text() == ack.min_version;
        EXPECT_TRUE(claimed_versions.insert({ack.flag_key, ack.version}).second)
            << "two acknowledged If-Match writes claim version " << ack.version << " of "
            << ack.flag_key;
      }
      if (!matches) {
        ++lost;
        ADD_FAILURE() << "acknowledged " << ack.idempotency << " is not what event " << ack.sequence
                      << " holds: " << logs[0][ack.sequence - 1];
      }
    }
    const std::vector<double> stalls = Stalls();
    std::printf(
        "checker: %lld s of load, %d clients, %d faults (%s); %d attempts, %d acknowledged "
        "(%d conditional), %d refused, %d 412, %d unknown, %d redirected; log %zu events on "
        "each of %d nodes; lost %d; stall after a fault median %.2f s, max %.2f s\n",
        static_cast<long long>(duration_.count()), kClients, static_cast<int>(faults_.size()),
        FaultNames().c_str(), figures_.attempts, figures_.acknowledged,
        figures_.conditional_acknowledged, figures_.refused, figures_.precondition_failed,
        figures_.unknown, figures_.redirected, logs[0].size(), kNodes, lost,
        stalls.empty() ? 0.0 : stalls[stalls.size() / 2], stalls.empty() ? 0.0 : stalls.back());
    EXPECT_EQ(lost, 0);
    EXPECT_GT(figures_.acknowledged, 0);
  }

 private:
  struct Answer {
    int status = 0;  // 0: no answer (the outcome is unknown)
    HttpResult result;
  };

  // Sends to the node this client last found writing, following Flagledger-Leader once.
  Answer Send(int& node, const std::string& method, const std::string& target,
              const std::string& body, const HeaderList& headers) {
    for (int hop = 0; hop < 2; ++hop) {
      std::uint16_t port = ports_.Get(node);
      Answer answer;
      try {
        answer.result = HttpClient(port, milliseconds(3000)).Send(method, target, body, headers);
        answer.status = answer.result.status;
      } catch (const std::exception&) {
        node = (node + 1) % kNodes;  // not answering: try another next time
        return answer;
      }
      std::string leader = answer.result.Header("Flagledger-Leader");
      if (answer.status == 503 && !leader.empty() && ports_.NodeOf(leader) >= 0) {
        node = ports_.NodeOf(leader);
        Count([](Figures& f) { ++f.redirected; });
        continue;
      }
      if (answer.status == 503) node = (node + 1) % kNodes;
      return answer;
    }
    return Answer{503, {}};
  }

  template <typename Update>
  void Count(Update update) {
    std::lock_guard lock(mutex_);
    update(figures_);
  }

  void Record(Acknowledged ack) {
    std::lock_guard lock(mutex_);
    ++figures_.acknowledged;
    if (!ack.create) ++figures_.conditional_acknowledged;
    acknowledged_at_.push_back(Clock::now());  // in order: taken under the lock
    acknowledged_.push_back(std::move(ack));
  }

  // A write with an Idempotency-Key, retried with the same key while its outcome is unknown.
  // Returns the final answer (status 0: still unknown when the load ended).
  Answer Write(int& node, const std::string& method, const std::string& target,
               const std::string& body, const std::string& key, HeaderList extra) {
    Answer answer;
    for (int attempt = 0; Clock::now() < deadline_ + seconds(5); ++attempt) {
      HeaderList headers = extra;
      headers.push_back({"Idempotency-Key", key});
      headers.push_back({"X-Request-Id", key + "." + std::to_string(attempt)});
      Count([](Figures& f) { ++f.attempts; });
      answer = Send(node, method, target, body, headers);
      bool unknown = answer.status == 0 ||
                     (answer.status == 503 &&
                      answer.result.body.find("outcome is unknown") != std::string::npos);
      if (!unknown && answer.status != 503) return answer;
      if (unknown)
        Count([](Figures& f) { ++f.unknown; });
      else
        Count([](Figures& f) { ++f.refused; });
      std::this_thread::sleep_for(milliseconds(20));
    }
    return answer;
  }

  void RunClient(int client) {
    std::mt19937 random(static_cast<unsigned>(client) * 7919u + 17u);
    int node = client % kNodes;
    for (int n = 0; Clock::now() < deadline_; ++n) {
      const std::string key = "c" + std::to_string(client) + "-" + std::to_string(n);
      if (random() % 3 != 0) {
        const bool enabled = random() % 2 == 0;
        Answer answer =
            Write(node, "POST", kOrg,
                  R"({"flag_key":")" + key + R"(","enabled":)" + (enabled ? "true" : "false") + "}",
                  key, {});
        if (answer.status == 201) {
          Acknowledged ack = AcknowledgedBy(answer, key, key);
          ack.create = true;
          ack.enabled = enabled;
          Record(std::move(ack));
        }
        continue;
      }
      // A conditional update of a contended flag: read its version, then PUT with If-Match.
      const std::string flag = "contended-" + std::to_string(random() % kContendedFlags);
      Answer read = Send(node, "GET", kOrg + "/" + flag, "", {});
      if (read.status != 200) continue;
      const std::uint64_t version = Version(read.result);
      const std::string min_version = "1." + std::to_string(client) + "." + std::to_string(n);
      Answer answer =
          Write(node, "PUT", kOrg + "/" + flag,
                R"({"enabled":true,"rollout_condition":{"min_version":")" + min_version + "\"}}",
                key, {{"If-Match", "\"" + std::to_string(version) + "\""}});
      if (answer.status == 412) Count([](Figures& f) { ++f.precondition_failed; });
      if (answer.status == 200) {
        Acknowledged ack = AcknowledgedBy(answer, flag, key);
        ack.min_version = min_version;
        Record(std::move(ack));
      }
    }
  }

  // What a 2xx answer to the write of `flag_key` with `idempotency` says was done.
  static Acknowledged AcknowledgedBy(const Answer& answer, const std::string& flag_key,
                                     const std::string& idempotency) {
    Acknowledged ack;
    ack.flag_key = flag_key;
    ack.idempotency = idempotency;
    ack.sequence = std::stoull("0" + answer.result.Header("Flagledger-Event-Sequence"));
    ack.version = Version(answer.result);
    return ack;
  }

  static std::uint64_t Version(const HttpResult& result) {
    std::string tag = result.Header("ETag");
    tag.erase(std::remove(tag.begin(), tag.end(), '"'), tag.end());
    return std::stoull("0" + tag);
  }

  void Fault(const std::string& name, const std::function<void()>& inject,
             const std::function<void()>& heal) {
    faults_.push_back({name, Clock::now()});
    inject();
    heal();
  }

  // For each fault, the time from its injection to the first write acknowledged after it.
  std::vector<double> Stalls() const {
    std::vector<double> stalls;
    for (const auto& [name, injected] : faults_) {
      auto first = std::upper_bound(acknowledged_at_.begin(), acknowledged_at_.end(), injected);
      if (first != acknowledged_at_.end()) {
        stalls.push_back(std::chrono::duration<double>(*first - injected).count());
      }
    }
    std::sort(stalls.begin(), stalls.end());
    return stalls;
  }

  void RunNemesis() {
    std::mt19937 random(4242u);
    // Let the clients create the contended flags and warm up.
    for (int f = 0; f < kContendedFlags; ++f) {
      int writer = cluster_.WaitForWriter(seconds(10));
      ASSERT_GE(writer, 0);
      HttpClient(cluster_.node(writer).port())
          .Send("POST", kOrg,
                R"({"flag_key":"contended-)" + std::to_string(f) + R"(","enabled":true})");
    }
    std::this_thread::sleep_for(seconds(2));
    int round = 0;
    while (Clock::now() + seconds(8) < deadline_) {
      const int writer = cluster_.WaitForWriter(seconds(10));
      if (writer < 0) break;
      ServerProcess& node = cluster_.node(writer);
      switch (round++ % 4) {
        case 0:
          Fault(
              "kill -9 the writer", [&] { node.Kill(); },
              [&] {
                std::this_thread::sleep_for(milliseconds(500 + random() % 1000));
                node.Start(false);
                ports_.Set(writer, node.port());
              });
          break;
        case 1: {
          const int member = cluster_.etcd().LeaderIndex();
          if (member < 0) break;
          Fault(
              "kill -9 the etcd leader", [&] { cluster_.etcd().Kill(member); },
              [&] {
                std::this_thread::sleep_for(milliseconds(500 + random() % 1000));
                cluster_.etcd().Restart(member);
              });
          break;
        }
        case 2:
          Fault(
              "SIGSTOP the writer past its lease", [&] { kill(node.pid(), SIGSTOP); },
              [&] {
                std::this_thread::sleep_for(seconds(kLeaseSeconds) + milliseconds(1500));
                kill(node.pid(), SIGCONT);
              });
          break;
        case 3: {
          const int other = static_cast<int>(random() % kNodes);
          Fault(
              "restart a node", [&] { cluster_.node(other).Stop(); },
              [&] {
                cluster_.node(other).Start(false);
                ports_.Set(other, cluster_.node(other).port());
              });
          break;
        }
      }
      std::this_thread::sleep_for(milliseconds(1000 + random() % 2000));
    }
  }

  std::string FaultNames() const {
    std::map<std::string, int> counts;
    for (const auto& fault : faults_) ++counts[fault.first];
    std::string names;
    for (const auto& [name, count] : counts) {
      if (!names.empty()) names += ", ";
      names += std::to_string(count) + "x " + name;
    }
    return names;
  }

  ClusterHarness& cluster_;
  const seconds duration_;
  Clock::time_point started_, deadline_;
  PortTable ports_;
  std::mutex mutex_;
  Figures figures_;
  std::vector<Acknowledged> acknowledged_;
  std::vector<Clock::time_point> acknowledged_at_;
  std::vector<std::pair<std::string, Clock::time_point>> faults_;  // name, injected at
};

seconds CheckerDuration() {
  const char* configured = std::getenv("FLAGLEDGER_CHECKER_SECONDS");
  return seconds(configured ? std::max(10, std::atoi(configured)) : 30);
}

TEST(ClusterChecker, NoAcknowledgedWriteIsLostToKillsPausesAndRestarts) {
  TempDir dir;
  ClusterHarness cluster(dir.path(), 3, kNodes,
                         {"--lease-ttl", std::to_string(kLeaseSeconds), "--access-log", "off"});
  cluster.StartAll();
  ASSERT_GE(cluster.WaitForWriter(), 0);
  Checker checker(cluster, CheckerDuration());
  checker.Run();
  checker.Heal();
  checker.Check();
}

}  // namespace
}  // namespace flagledger

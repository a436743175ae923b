// Read replicas against real binaries: a leader and followers on loopback, each with its own
// data directory (docs/api.md, "Read replicas"; README, "Scaling reads").
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "events/event_log.h"
#include "tests/testing/free_port.h"
#include "tests/testing/http_client.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

const std::string kFlags = "/api/v1/organizations/acme/feature-flags";

std::string Url(const ServerProcess& server) {
  return "http://127.0.0.1:" + std::to_string(server.port());
}

std::vector<std::string> FollowArgs(const ServerProcess& leader,
                                    std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"--follow", Url(leader)};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::uint64_t Sequence(const HttpResult& result) {
  return std::stoull("0" + result.Header("Flagledger-Event-Sequence"));
}

// Waits up to 10 s until the follower on `port` has applied `sequence`; true if it did.
bool WaitForApplied(std::uint16_t port, std::uint64_t sequence) {
  HttpClient client(port);
  for (int i = 0; i < 1000; ++i) {
    HttpResult ready = client.Send("GET", "/readyz");
    std::smatch match;
    static const std::regex kApplied("\"applied\":([0-9]+)");
    if (std::regex_search(ready.body, match, kApplied) && std::stoull(match[1]) >= sequence) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// The whole log as the offline history command prints it (NDJSON, byte for byte).
std::string HistoryOf(const std::string& data_dir) {
  CommandResult history = RunFlagledger("history --data-dir " + data_dir + " --format ndjson");
  EXPECT_EQ(history.exit_code, 0) << history.out;
  return history.out;
}

class Replica : public ::testing::Test {
 protected:
  HttpResult Write(const std::string& method, const std::string& target, const std::string& body,
                   const HeaderList& headers = {}) {
    HttpResult result = HttpClient(leader_.port()).Send(method, target, body, headers);
    EXPECT_LT(result.status, 300) << method << " " << target << ": " << result.body;
    return result;
  }

  TempDir dir_;
  ServerProcess leader_{dir_.Sub("leader")};
};

TEST_F(Replica, FollowersAnswerEveryReadAsTheLeaderDoes) {
  leader_.Start();
  Write("POST", kFlags, R"({"flag_key":"checkout","enabled":false})");
  Write("POST", kFlags, R"({"flag_key":"banner","enabled":true})",
        {{"Idempotency-Key", "create-banner"}});
  Write("PUT", kFlags + "/checkout",
        R"({"enabled":true,"rollout_condition":{"min_version":"2.1.0"}})");
  std::uint64_t before_delete = Sequence(HttpClient(leader_.port()).Send("GET", kFlags));
  Write("DELETE", kFlags + "/banner", "");
  Write("POST", kFlags, R"({"flag_key":"search","enabled":true})");
  // A restore: several events in one batch, which followers apply whole.
  Write("POST", "/api/v1/organizations/acme/restore",
        R"({"to_event":)" + std::to_string(before_delete) + "}");
  std::uint64_t head = Sequence(HttpClient(leader_.port()).Send("GET", kFlags));

  // One follower of the leader, from its checkpoint, and one of the follower (a chain) that
  // replays the whole log through the feed.
  ServerProcess first(dir_.Sub("first"), FollowArgs(leader_));
  first.Start();
  ServerProcess second(dir_.Sub("second"), FollowArgs(first, {"--bootstrap", "feed"}));
  second.Start();
  ASSERT_TRUE(WaitForApplied(first.port(), head));
  ASSERT_TRUE(WaitForApplied(second.port(), head));

  const std::vector<std::pair<std::string, std::string>> reads = {
      {"GET", kFlags},
      {"GET", kFlags + "/checkout"},
      {"GET", kFlags + "/checkout/history"},
      {"GET", kFlags + "?as_of_event=3"},
      {"GET", kFlags + "/banner"},
      {"GET", "/api/v1/organizations/acme/events?limit=3"},
      {"GET", "/api/v1/organizations/acme/evaluation?version=2.2.0&at=2099-01-01T00:00:00Z"},
      {"GET", "/api/v1/organizations/acme/diff?from_event=1&to_event=" + std::to_string(head)},
      {"GET", "/api/v1/events?limit=100"},
      {"GET", "/api/v1/events/head"},
      {"POST", "/ofrep/v1/evaluate/flags/checkout"},
  };
  for (const auto& [method, target] : reads) {
    std::string body =
        method == "POST"
            ? R"({"context":{"targetingKey":"u1","organization_id":"acme","version":"2.2.0"}})"
            : "";
    HttpResult expected = HttpClient(leader_.port()).Send(method, target, body);
    for (const ServerProcess* follower : {&first, &second}) {
      HttpResult got = HttpClient(follower->port()).Send(method, target, body);
      EXPECT_EQ(got.status, expected.status) << target;
      EXPECT_EQ(got.body, expected.body) << target;
      for (const char* header : {"ETag", "Flagledger-Event-Sequence", "Content-Type"}) {
        EXPECT_EQ(got.Header(header), expected.Header(header)) << target << " " << header;
      }
    }
  }

  // Writes reach a follower only to be sent to the leader: nothing is appended there.
  for (const ServerProcess* follower : {&first, &second}) {
    HttpClient client(follower->port());
    HttpResult refused = client.Send("PUT", kFlags + "/checkout", R"({"enabled":false})");
    EXPECT_EQ(refused.status, 503);
    EXPECT_NE(refused.body.find("\"code\":\"read_only_replica\""), std::string::npos)
        << refused.body;
    EXPECT_FALSE(refused.Header("Flagledger-Leader").empty());
    EXPECT_EQ(client.Send("DELETE", kFlags + "/checkout").status, 503);
    EXPECT_EQ(Sequence(client.Send("GET", kFlags)), head) << "nothing appended";
  }
  EXPECT_EQ(first.Stop(), 0);
  EXPECT_EQ(second.Stop(), 0);
  EXPECT_EQ(leader_.Stop(), 0);
  std::string leader_history = HistoryOf(leader_.data_dir());
  EXPECT_EQ(HistoryOf(first.data_dir()), leader_history);
  EXPECT_EQ(HistoryOf(second.data_dir()), leader_history);
  // The stored answer of the Idempotency-Key reached the followers too.
  for (const ServerProcess* follower : {&first, &second}) {
    auto log = EventLog::Open(follower->data_dir(), EventLogOptions{}).value();
    auto record = log->FindIdempotencyRecord(std::string("acme\0create-banner", 18));
    ASSERT_TRUE(record.ok() && record->has_value()) << follower->data_dir();
    EXPECT_NE((*record)->response.find("banner"), std::string::npos);
  }
}

TEST_F(Replica, AFollowerKilledUnderWritesCatchesUpWithNoGapOrDuplicate) {
  leader_.Start();
  ServerProcess follower(dir_.Sub("follower"), FollowArgs(leader_));
  follower.Start();
  std::atomic<bool> writing{true};
  std::atomic<int> written{0};
  std::thread writer([&] {
    HttpClient client(leader_.port());
    for (int i = 0; writing.load(); ++i) {
      std::string key = "flag-" + std::to_string(i % 50);
      HttpResult result =
          i < 50 ? client.Send("POST", kFlags, R"({"flag_key":")" + key + R"(","enabled":true})")
                 : client.Send("PUT", kFlags + "/" + key,
                               std::string(R"({"enabled":)") + (i % 2 ? "true" : "false") + "}");
      if (result.status < 300) ++written;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  follower.Kill();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  follower.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  writing = false;
  writer.join();
  EXPECT_GT(written.load(), 50);
  std::uint64_t head = Sequence(HttpClient(leader_.port()).Send("GET", kFlags));
  ASSERT_TRUE(WaitForApplied(follower.port(), head));
  EXPECT_EQ(follower.Stop(), 0);
  EXPECT_EQ(leader_.Stop(), 0);
  CommandResult verified = RunFlagledger("verify --data-dir " + follower.data_dir());
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_EQ(HistoryOf(follower.data_dir()), HistoryOf(leader_.data_dir()));
}

TEST_F(Replica, AFollowerCutFromItsLeaderTurnsUnreadyAndBack) {
  leader_.Start();
  Write("POST", kFlags, R"({"flag_key":"checkout","enabled":true})");
  ServerProcess follower(dir_.Sub("follower"), FollowArgs(leader_, {"--max-lag-ms", "300"}));
  follower.Start();
  HttpClient client(follower.port());
  auto ready_status = [&] { return client.Send("GET", "/readyz").status; };
  EXPECT_EQ(ready_status(), 200);
  // A leader that stops answering (paused) leaves the feed open and silent.
  ASSERT_EQ(::kill(leader_.pid(), SIGSTOP), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  HttpResult unready = client.Send("GET", "/readyz");
  EXPECT_EQ(unready.status, 503) << unready.body;
  EXPECT_EQ(client.Send("GET", kFlags + "/checkout").status, 200) << "reads go on";
  ASSERT_EQ(::kill(leader_.pid(), SIGCONT), 0);
  bool back = false;
  for (int i = 0; i < 300 && !back; ++i) {
    back = ready_status() == 200;
    if (!back) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(back) << "ready again once the leader is heard";
  HttpResult metrics = client.Send("GET", "/metrics");
  EXPECT_NE(metrics.body.find("flagledger_replica_lag_events 0"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("flagledger_replica_applied_sequence 1"), std::string::npos);
  EXPECT_NE(metrics.body.find("flagledger_replica_lag_seconds"), std::string::npos);
  // A leader gone for good: unready, and back once a leader is there again.
  EXPECT_EQ(leader_.Stop(), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  EXPECT_EQ(ready_status(), 503);
}

TEST_F(Replica, TokensAndRevocationsReachFollowers) {
  leader_.Start();
  std::regex secret_pattern("flt_[0-9a-f]{64}");
  auto create = [&](const std::string& org, const std::string& role, const std::string& name) {
    CommandResult created =
        RunFlagledger("token create --data-dir " + leader_.data_dir() + " --org '" + org +
                      "' --role " + role + " --name " + name);
    std::smatch match;
    EXPECT_TRUE(std::regex_search(created.out, match, secret_pattern)) << created.out;
    return match.str();
  };
  std::string replica_token = create("*", "replica", "replica");
  std::string reader = create("acme", "read", "reader");
  ServerProcess follower(dir_.Sub("follower"),
                         FollowArgs(leader_, {"--follow-token", replica_token}));
  follower.Start();
  HeaderList as_reader = {{"Authorization", "Bearer " + reader}};
  ASSERT_TRUE(WaitForApplied(
      follower.port(), Sequence(HttpClient(leader_.port()).Send("GET", kFlags, "", as_reader))));
  HttpClient client(follower.port());
  EXPECT_EQ(client.Send("GET", kFlags, "", as_reader).status, 200);
  EXPECT_EQ(client.Send("GET", kFlags).status, 401) << "the leader's tokens guard the follower";
  std::smatch id;
  std::string list = RunFlagledger("token list --json --data-dir " + leader_.data_dir()).out;
  ASSERT_TRUE(std::regex_search(list, id, std::regex("\\{\"id\":\"([^\"]+)\",\"name\":\"reader\"")))
      << list;
  CommandResult revoked =
      RunFlagledger("token revoke --data-dir " + leader_.data_dir() + " --id " + id[1].str());
  EXPECT_EQ(revoked.exit_code, 0) << revoked.out;
  bool refused = false;
  for (int i = 0; i < 300 && !refused; ++i) {
    refused = client.Send("GET", kFlags, "", as_reader).status == 401;
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(refused) << "a revocation on the leader reaches the follower";
  // Token events move the replica's position as the leader's: reads name the same sequence.
  EXPECT_EQ(Sequence(client.Send("GET", kFlags, "", as_reader)),
            Sequence(HttpClient(leader_.port()).Send("GET", kFlags, "", as_reader)));
  // A replica token reads the feed and nothing else, on the leader as on the follower.
  HeaderList as_replica = {{"Authorization", "Bearer " + replica_token}};
  for (std::uint16_t port : {leader_.port(), follower.port()}) {
    HttpClient on(port);
    for (const char* target :
         {"/api/v1/organizations/acme/feature-flags", "/api/v1/events", "/api/v1/events/head"}) {
      HttpResult refused = on.Send("GET", target, "", as_replica);
      EXPECT_EQ(refused.status, 403) << target;
      EXPECT_NE(refused.body.find("the role 'replica', which reads the replication feed only"),
                std::string::npos)
          << refused.body;
    }
    EXPECT_EQ(on.Send("POST", "/ofrep/v1/evaluate/flags/x",
                      R"({"context":{"organization_id":"acme"}})", as_replica)
                  .status,
              403);
    std::string feed = on.SendRaw(
        "GET /api/v1/events/stream?batches=true&after=0 HTTP/1.1\r\nHost: x\r\n"
        "Authorization: Bearer " +
            replica_token + "\r\n\r\n",
        300);
    EXPECT_TRUE(feed.starts_with("HTTP/1.1 200")) << feed;
  }
  // A replica token is for the whole log or none; the refusal appends nothing.
  auto tokens_now = [&] {
    return RunFlagledger("token list --json --data-dir " + leader_.data_dir()).out;
  };
  std::string before_refusal = tokens_now();
  CommandResult scoped = RunFlagledger("token create --data-dir " + leader_.data_dir() +
                                       " --org acme --role replica --name r");
  EXPECT_NE(scoped.exit_code, 0);
  EXPECT_NE(scoped.out.find("--role replica reads the whole log: it needs --org '*'"),
            std::string::npos)
      << scoped.out;
  EXPECT_EQ(tokens_now(), before_refusal);
  // An organization's admin token is refused the feed, and told what it needs.
  HeaderList as_admin = {{"Authorization", "Bearer " + create("acme", "admin", "acme-admin")}};
  HttpResult weak =
      HttpClient(leader_.port()).Send("GET", "/api/v1/replication/checkpoint", "", as_admin);
  EXPECT_EQ(weak.status, 403);
  EXPECT_NE(weak.body.find("or replica"), std::string::npos) << weak.body;
  // Without a token the leader refuses the feed: the follower stays unready, and says why.
  ServerProcess tokenless(dir_.Sub("tokenless"), FollowArgs(leader_, {"--bootstrap", "feed"}));
  tokenless.Start(/*until_ready=*/false);
  HttpResult unready;
  for (int i = 0; i < 300; ++i) {
    unready = HttpClient(tokenless.port()).Send("GET", "/readyz");
    if (unready.body.find("status 401") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(unready.status, 503);
  EXPECT_NE(unready.body.find("the leader refused the feed with status 401"), std::string::npos)
      << unready.body;
  // A new follower refused its checkpoint stops at once, naming the answer; no log is left.
  ServerProcess unbooted(dir_.Sub("unbooted"), FollowArgs(leader_));
  EXPECT_THROW(unbooted.Start(), std::runtime_error);
  EXPECT_NE(unbooted.Log().find("cannot bootstrap from the leader"), std::string::npos)
      << unbooted.Log();
  EXPECT_NE(unbooted.Log().find("answered 401"), std::string::npos) << unbooted.Log();
  EXPECT_FALSE(std::filesystem::exists(unbooted.data_dir() + "/log/CURRENT"));
}

TEST_F(Replica, ANewFollowerStartsFromTheLeadersCheckpoint) {
  ServerProcess leader(dir_.Sub("leader-snapshots"), {"--snapshot-every", "10"});
  leader.Start();
  HttpClient on_leader(leader.port());
  for (int i = 0; i < 30; ++i) {
    std::string key = "flag-" + std::to_string(i % 12);
    HttpResult result =
        i < 12 ? on_leader.Send("POST", kFlags, R"({"flag_key":")" + key + R"(","enabled":true})",
                                {{"Idempotency-Key", "create-" + key}})
               : on_leader.Send("PUT", kFlags + "/" + key,
                                std::string(R"({"enabled":)") + (i % 2 ? "true" : "false") + "}");
    ASSERT_LT(result.status, 300) << result.body;
  }
  std::uint64_t head = Sequence(on_leader.Send("GET", kFlags));
  // What an interrupted bootstrap leaves (a half-unpacked archive, a log directory without
  // CURRENT) is replaced.
  std::filesystem::create_directories(dir_.Sub("follower/.bootstrap/log"));
  std::ofstream(dir_.Sub("follower/.bootstrap/log/000001.sst")) << "partial";
  std::filesystem::create_directories(dir_.Sub("follower/log"));
  std::ofstream(dir_.Sub("follower/log/LOG")) << "an open that failed";
  ServerProcess follower(dir_.Sub("follower"), FollowArgs(leader));
  follower.Start();
  std::string log = follower.Log();
  EXPECT_NE(log.find("bootstrapped from the leader's checkpoint"), std::string::npos) << log;
  EXPECT_NE(log.find("\"leader_sequence\":" + std::to_string(head)), std::string::npos) << log;
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("follower/.bootstrap")));
  // It started from the snapshot that came with the log, and the feed carried nothing old.
  EXPECT_FALSE(std::filesystem::is_empty(dir_.Sub("follower/snapshots")));
  EXPECT_NE(log.find("\"sequence\":" + std::to_string(head)), std::string::npos) << log;
  HttpClient on_follower(follower.port());
  EXPECT_NE(
      on_follower.Send("GET", "/metrics").body.find("flagledger_replica_batches_applied_total 0"),
      std::string::npos);
  for (const std::string& target :
       {kFlags, kFlags + "/flag-3/history", std::string("/api/v1/events?limit=50")}) {
    HttpResult expected = on_leader.Send("GET", target);
    HttpResult got = on_follower.Send("GET", target);
    EXPECT_EQ(got.body, expected.body) << target;
    EXPECT_EQ(got.Header("ETag"), expected.Header("ETag")) << target;
  }
  // Then it follows: a write on the leader reaches it through the feed.
  HttpResult written = on_leader.Send("PUT", kFlags + "/flag-0", R"({"enabled":false})");
  ASSERT_TRUE(WaitForApplied(follower.port(), Sequence(written)));
  EXPECT_EQ(on_follower.Send("GET", kFlags + "/flag-0").body,
            on_leader.Send("GET", kFlags + "/flag-0").body);
  // The checkpoint left nothing behind in the leader's data directory.
  for (const auto& entry : std::filesystem::directory_iterator(leader.data_dir())) {
    EXPECT_FALSE(entry.path().filename().string().starts_with(".checkpoint")) << entry.path();
  }
  EXPECT_EQ(follower.Stop(), 0);
  EXPECT_EQ(leader.Stop(), 0);
  CommandResult verified = RunFlagledger("verify --data-dir " + follower.data_dir());
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_EQ(HistoryOf(follower.data_dir()), HistoryOf(leader.data_dir()));
  auto copy = EventLog::Open(follower.data_dir(), EventLogOptions{}).value();
  auto record = copy->FindIdempotencyRecord(std::string("acme\0create-flag-5", 18));
  ASSERT_TRUE(record.ok() && record->has_value()) << "stored answers came with the log";
}

TEST_F(Replica, TheCheckpointIsAnArchiveThatTarUnpacksIntoAWorkingDataDirectory) {
  leader_.Start();
  for (int i = 0; i < 5; ++i) {
    Write("POST", kFlags, R"({"flag_key":"f)" + std::to_string(i) + R"(","enabled":true})");
  }
  HttpResult checkpoint = HttpClient(leader_.port()).Send("GET", "/api/v1/replication/checkpoint");
  ASSERT_EQ(checkpoint.status, 200) << checkpoint.body;
  EXPECT_EQ(checkpoint.Header("Content-Type"), "application/x-tar");
  EXPECT_EQ(checkpoint.Header("Flagledger-Event-Sequence"), "5");
  EXPECT_EQ(checkpoint.Header("Flagledger-Log-Id").size(), 32u);
  EXPECT_EQ(HttpClient(leader_.port()).Send("GET", "/api/v1/replication/checkpoint?x=1").status,
            400);
  std::string archive = dir_.Sub("checkpoint.tar");
  std::ofstream(archive, std::ios::binary) << checkpoint.body;
  std::string copy = dir_.Sub("copy");
  std::filesystem::create_directories(copy);
  ASSERT_EQ(std::system(("tar -xf " + archive + " -C " + copy).c_str()), 0);
  CommandResult verified = RunFlagledger("verify --data-dir " + copy);
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_EQ(leader_.Stop(), 0);
  EXPECT_EQ(HistoryOf(copy), HistoryOf(leader_.data_dir()));
}

TEST_F(Replica, ANewFollowerWaitsForALeaderThatIsNotUpYet) {
  std::string listen = "127.0.0.1:" + std::to_string(FreeLoopbackPort());
  ServerProcess follower(dir_.Sub("follower"), {"--follow", "http://" + listen});
  std::thread starting([&] {  // returns once the follower is ready
    try {
      follower.Start();
    } catch (const std::exception&) {
      // checked below: it is not running
    }
  });
  bool retrying = false;
  for (int i = 0; i < 500 && !retrying; ++i) {
    retrying = follower.Log().find("retrying in 1 s") != std::string::npos;
    if (!retrying) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(retrying) << follower.Log();
  ServerProcess leader(dir_.Sub("late-leader"), {"--listen", listen});
  leader.Start();
  HttpResult written =
      HttpClient(leader.port()).Send("POST", kFlags, R"({"flag_key":"late","enabled":true})");
  starting.join();
  ASSERT_TRUE(follower.running()) << follower.Log();
  EXPECT_TRUE(WaitForApplied(follower.port(), Sequence(written))) << follower.Log();
  EXPECT_EQ(follower.Stop(), 0);
  EXPECT_EQ(leader.Stop(), 0);
}

TEST_F(Replica, AReadWithMinSequenceSeesTheWriteItNames) {
  leader_.Start();
  Write("POST", kFlags, R"({"flag_key":"checkout","enabled":false})");
  ServerProcess follower(dir_.Sub("follower"), FollowArgs(leader_));
  follower.Start();
  HttpClient on_follower(follower.port());
  for (int i = 0; i < 20; ++i) {
    bool enabled = i % 2 == 0;
    HttpResult written = Write("PUT", kFlags + "/checkout",
                               std::string(R"({"enabled":)") + (enabled ? "true" : "false") + "}");
    std::string sequence = written.Header("Flagledger-Event-Sequence");
    ASSERT_FALSE(sequence.empty());
    HttpResult read =
        on_follower.Send("GET", kFlags + "/checkout", "", {{"Flagledger-Min-Sequence", sequence}});
    ASSERT_EQ(read.status, 200) << read.body;
    EXPECT_GE(Sequence(read), std::stoull(sequence));
    EXPECT_NE(read.body.find(enabled ? "\"enabled\":true" : "\"enabled\":false"), std::string::npos)
        << read.body;
  }
  std::uint64_t head = Sequence(HttpClient(leader_.port()).Send("GET", kFlags));
  // A write that changes nothing names the state it was decided against.
  HttpResult unchanged = Write("PUT", kFlags + "/checkout", R"({"enabled":false})");
  EXPECT_EQ(unchanged.Header("Flagledger-Event-Sequence"), std::to_string(head));
  auto started = std::chrono::steady_clock::now();
  HttpResult behind =
      on_follower.Send("GET", kFlags, "", {{"Flagledger-Min-Sequence", std::to_string(head + 5)}});
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(behind.status, 503);
  EXPECT_NE(behind.body.find("\"code\":\"replica_behind\""), std::string::npos) << behind.body;
  EXPECT_GE(waited, std::chrono::milliseconds(800)) << "it waited for the event first";
  EXPECT_EQ(on_follower.Send("GET", kFlags, "", {{"Flagledger-Min-Sequence", "x1"}}).status, 400);
  EXPECT_EQ(HttpClient(leader_.port())
                .Send("GET", kFlags, "", {{"Flagledger-Min-Sequence", std::to_string(head)}})
                .status,
            200)
      << "a leader has applied what it answered";
}

TEST_F(Replica, AFollowerAheadOfItsLeaderStopsRatherThanDiverge) {
  // The leader comes back from an older copy of its own data directory (same log id).
  std::string listen = "127.0.0.1:" + std::to_string(FreeLoopbackPort());
  ServerProcess leader(dir_.Sub("leader-fixed"), {"--listen", listen});
  leader.Start();
  HttpClient(leader.port()).Send("POST", kFlags, R"({"flag_key":"one","enabled":true})");
  EXPECT_EQ(leader.Stop(), 0);
  std::filesystem::copy(leader.data_dir(), dir_.Sub("older-copy"),
                        std::filesystem::copy_options::recursive);
  leader.Start();
  HttpClient(leader.port()).Send("POST", kFlags, R"({"flag_key":"two","enabled":true})");
  ServerProcess follower(dir_.Sub("follower"), {"--follow", "http://" + listen});
  follower.Start();
  ASSERT_TRUE(WaitForApplied(follower.port(), 2));
  EXPECT_EQ(leader.Stop(), 0);
  std::filesystem::remove_all(leader.data_dir());
  std::filesystem::rename(dir_.Sub("older-copy"), leader.data_dir());
  leader.Start();
  bool exited = false;
  for (int i = 0; i < 500 && !exited; ++i) {
    exited = follower.Log().find("before this replica's last event 2") != std::string::npos;
    if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(exited) << follower.Log();
}

TEST_F(Replica, TheFeedRefusesWhatItCannotServe) {
  leader_.Start();
  Write("POST", kFlags, R"({"flag_key":"one","enabled":true})");
  Write("POST", kFlags, R"({"flag_key":"two","enabled":true})");
  // A restore of both: one batch of two events, 3 and 4.
  Write("POST", "/api/v1/organizations/acme/restore", R"({"to_event":0})");
  HttpClient client(leader_.port());
  std::uint64_t before = Sequence(client.Send("GET", kFlags));
  HttpResult inside = client.Send("GET", "/api/v1/events/stream?batches=true&after=3");
  EXPECT_EQ(inside.status, 400);
  EXPECT_NE(inside.body.find("no batch starts at event 4"), std::string::npos) << inside.body;
  HttpResult maybe = client.Send("GET", "/api/v1/events/stream?batches=maybe&after=0");
  EXPECT_EQ(maybe.status, 400);
  EXPECT_NE(maybe.body.find("batches must be true or false"), std::string::npos) << maybe.body;
  EXPECT_EQ(
      client.Send("GET", "/api/v1/organizations/acme/events/stream?batches=true&after=0").status,
      400)
      << "only the whole log's stream has batches";
  EXPECT_EQ(Sequence(client.Send("GET", kFlags)), before) << "nothing appended";
}

TEST_F(Replica, AFollowerOfAnotherLogRefusesToGoOn) {
  leader_.Start();
  Write("POST", kFlags, R"({"flag_key":"checkout","enabled":true})");
  ServerProcess other(dir_.Sub("other"));
  other.Start();
  HttpClient(other.port()).Send("POST", kFlags, R"({"flag_key":"own","enabled":true})");
  EXPECT_EQ(other.Stop(), 0);
  ServerProcess follower(dir_.Sub("other"), FollowArgs(leader_));
  EXPECT_THROW(follower.Start(), std::runtime_error);
  EXPECT_NE(follower.Log().find("holds another log"), std::string::npos) << follower.Log();
}

}  // namespace
}  // namespace flagledger

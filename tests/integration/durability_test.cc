// Restarts and crashes of the real server on the same data directory: an answered write is
// durable (docs/api.md, "What every write does").
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "tests/testing/http_client.h"
#include "tests/testing/raw_connection.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

std::string Base(const std::string& org) {
  return "/api/v1/organizations/" + org + "/feature-flags";
}

TEST(Durability, RestartGivesIdenticalResponses) {
  TempDir dir;
  ServerProcess server(dir.Sub("data"));
  server.Start();
  std::vector<std::string> reads;
  {
    HttpClient client(server.port());
    for (int i = 0; i < 30; ++i) {
      std::string org = "org-" + std::to_string(i % 3);
      std::string key = "flag-" + std::to_string(i);
      ASSERT_EQ(
          client.Send("POST", Base(org), R"({"flag_key":")" + key + R"(","enabled":true})").status,
          201);
      if (i % 4 == 0) {
        ASSERT_EQ(
            client
                .Send(
                    "PUT", Base(org) + "/" + key,
                    R"({"rollout_condition":{"min_version":"1.2.3-rc.1","activation_date":"2026-02-03T04:05:06Z"}})")
                .status,
            200);
      }
      if (i % 5 == 0) {
        ASSERT_EQ(client.Send("DELETE", Base(org) + "/" + key).status, 200);
      }
    }
  }
  auto read_all = [&](HttpClient& client) {
    std::vector<std::string> out;
    for (int org = 0; org < 3; ++org) {
      HttpResult page = client.Send("GET", Base("org-" + std::to_string(org)) + "?limit=100");
      out.push_back(page.body + "|" + page.Header("Flagledger-Event-Sequence"));
      for (int i = 0; i < 30; ++i) {
        HttpResult flag =
            client.Send("GET", Base("org-" + std::to_string(org)) + "/flag-" + std::to_string(i));
        out.push_back(std::to_string(flag.status) + flag.body);
      }
    }
    return out;
  };
  {
    HttpClient client(server.port());
    reads = read_all(client);
  }
  EXPECT_EQ(server.Stop(), 0) << server.Log();
  server.Start();
  HttpClient client(server.port());
  EXPECT_EQ(read_all(client), reads);
  EXPECT_NE(server.Log().find(R"("msg":"ready","sequence":44,"flags":24)"), std::string::npos)
      << server.Log();
}

// Concurrent writers, kill -9 at random moments, restart; for several cycles. Afterwards
// every acknowledged write is there, and `flagledger verify` finds no gap in the sequence, no
// index mismatch, and a projection equal to a fresh replay. FLAGLEDGER_CRASH_CYCLES runs a
// longer soak (default 4 cycles, a few seconds).
TEST(Durability, KillDuringWritesLosesNoAcknowledgedWrite) {
  const char* cycles_setting = std::getenv("FLAGLEDGER_CRASH_CYCLES");
  const int cycles = cycles_setting ? std::max(1, std::atoi(cycles_setting)) : 4;
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  TempDir dir;
  ServerProcess server(dir.Sub("data"), {"--snapshot-every", "300"});
  std::set<std::string> acknowledged;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    server.Start();
    std::mutex mutex;
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < 6; ++w) {
      writers.emplace_back([&, w] {
        HttpClient client(server.port());
        for (int i = 0; !stop.load(); ++i) {
          std::string key =
              "c" + std::to_string(cycle) + "-w" + std::to_string(w) + "-" + std::to_string(i);
          try {
            HttpResult result = client.Send("POST", Base("org-crash-" + std::to_string(w % 2)),
                                            R"({"flag_key":")" + key + "\"}");
            if (result.status == 201) {
              std::lock_guard lock(mutex);
              acknowledged.insert(std::to_string(w % 2) + "/" + key);
            }
          } catch (const std::exception&) {
            return;  // the server is gone
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + random() % 600));
    server.Kill();
    stop = true;
    for (auto& writer : writers) writer.join();
  }
  ASSERT_GT(acknowledged.size(), 50u) << "the writers made too little progress to prove anything";
  server.Start();
  HttpClient client(server.port());
  std::size_t lost = 0;
  for (const std::string& entry : acknowledged) {
    std::string org = "org-crash-" + entry.substr(0, 1), key = entry.substr(2);
    if (client.Send("GET", Base(org) + "/" + key).status != 200) ++lost;
  }
  EXPECT_EQ(lost, 0u) << "acknowledged writes lost after kill -9";
  CommandResult verified = RunFlagledger("verify --data-dir " + dir.Sub("data"));
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_NE(verified.out.find("OK: 0 problems"), std::string::npos) << verified.out;
}

TEST(Durability, SigtermStopsCleanly) {
  TempDir dir;
  ServerProcess server(dir.Sub("data"));
  server.Start();
  HttpClient(server.port()).Send("POST", Base("org-a"), R"({"flag_key":"x"})");
  EXPECT_EQ(server.Stop(), 0);
  std::string log = server.Log();
  EXPECT_NE(log.find(R"("msg":"shutting down","signal":"SIGTERM")"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("msg":"stopped")"), std::string::npos) << log;
}

// On SIGTERM the server closes idle keep-alive connections and change streams from whichever
// thread runs the shutdown, so it does not wait out its 10 s grace period for them.
TEST(Durability, SigtermClosesIdleConnectionsAndStreamsAtOnce) {
  TempDir dir;
  ServerProcess server(dir.Sub("data"));
  server.Start();
  ASSERT_EQ(HttpClient(server.port()).Send("POST", Base("org-a"), R"({"flag_key":"x"})").status,
            201);
  RawConnection idle(server.port());
  ASSERT_TRUE(idle.Send("GET " + Base("org-a") + "/x HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_NE(idle.ReadFor(std::chrono::milliseconds(300)).find("HTTP/1.1 200 OK"),
            std::string::npos);
  RawConnection stream(server.port());
  ASSERT_TRUE(stream.Send(
      "GET /api/v1/organizations/org-a/events/stream?after=0 HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_NE(stream.ReadFor(std::chrono::milliseconds(300)).find("event: flag.created"),
            std::string::npos);
  ASSERT_FALSE(idle.ClosedWithin(std::chrono::milliseconds(10)));
  ASSERT_FALSE(stream.ClosedWithin(std::chrono::milliseconds(10)));

  auto began = std::chrono::steady_clock::now();
  EXPECT_EQ(server.Stop(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(8))
      << "the server waited out the grace period for connections it should have closed";
  EXPECT_TRUE(idle.ClosedWithin(std::chrono::milliseconds(100)));
  EXPECT_TRUE(stream.ClosedWithin(std::chrono::milliseconds(100)));
}

// Clients that go quiet right after an answer while SIGTERM arrives. After each answer the
// server defers the connection's next read behind the handlers already queued, so at the
// moment of the shutdown many sessions sit between an answer and their next read, neither
// busy nor marked idle; each must still close at once rather than wait out the grace period.
TEST(Durability, SigtermClosesConnectionsAnsweredJustBefore) {
  TempDir dir;
  ServerProcess server(dir.Sub("data"));
  server.Start();
  ASSERT_EQ(HttpClient(server.port()).Send("POST", Base("org-a"), R"({"flag_key":"x"})").status,
            201);
  std::atomic<bool> quiet{false};
  std::atomic<int> answered{0};
  std::vector<std::unique_ptr<HttpClient>> clients;  // outlive the threads: idle connections
  std::vector<std::thread> threads;
  for (int i = 0; i < 32; ++i) {
    clients.push_back(std::make_unique<HttpClient>(server.port()));
    threads.emplace_back([&, client = clients.back().get()] {
      try {
        while (!quiet.load()) {
          if (client->Send("GET", Base("org-a") + "/x").status == 200) ++answered;
        }
      } catch (const std::exception&) {  // the server stopped under this client's request
      }
    });
  }
  while (answered.load() < 3000) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  auto began = std::chrono::steady_clock::now();
  ::kill(server.pid(), SIGTERM);
  quiet.store(true);  // each client stops after the answer it is waiting for
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(server.Stop(), 0);  // its second SIGTERM stays pending: the server waits for one
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(8))
      << "the server waited out the grace period for connections it should have closed";
}

TEST(Durability, ASecondServerOnTheSameDirectoryRefusesToStart) {
  TempDir dir;
  ServerProcess first(dir.Sub("data"));
  first.Start();
  ServerProcess second(dir.Sub("data"));
  EXPECT_THROW(second.Start(), std::runtime_error);
  EXPECT_NE(first.Log().find("cannot open the event log"), std::string::npos);
  EXPECT_EQ(HttpClient(first.port()).Send("GET", "/readyz").status, 200);
}

TEST(Durability, AsyncDurabilityStillSurvivesAProcessCrash) {
  TempDir dir;
  ServerProcess server(dir.Sub("data"), {"--durability", "async"});
  server.Start();
  {
    HttpClient client(server.port());
    for (int i = 0; i < 20; ++i) {
      ASSERT_EQ(client.Send("POST", Base("org-a"), R"({"flag_key":"k)" + std::to_string(i) + "\"}")
                    .status,
                201);
    }
  }
  server.Kill();
  server.Start();
  HttpResult page = HttpClient(server.port()).Send("GET", Base("org-a"));
  EXPECT_NE(page.body.find(R"("total":20)"), std::string::npos) << page.body;
}

TEST(ServeCommand, HelpDescribesEveryOption) {
  CommandResult help = RunFlagledger("serve --help");
  EXPECT_EQ(help.exit_code, 0);
  const std::string& out = help.out;
  for (const char* option :
       {"--data-dir", "--listen", "--threads", "--durability", "FLAGLEDGER_DATA_DIR"}) {
    EXPECT_NE(out.find(option), std::string::npos) << option;
  }
}

TEST(ServeCommand, RejectsBadSettingsClearly) {
  for (std::string args : {"--durability maybe", "--listen nowhere", "--threads 0", "--bogus 1",
                           "--cache-mb 1", "--cache-mb lots", "--snapshot-every -5"}) {
    CommandResult result = RunFlagledger("serve " + args);
    EXPECT_EQ(result.exit_code, 2) << args;
    EXPECT_NE(result.out.find("flagledger serve: --"), std::string::npos) << result.out;
  }
}

TEST(ServeCommand, ReadsSettingsFromTheEnvironment) {
  CommandResult result = RunFlagledger("serve", "FLAGLEDGER_DURABILITY=sometimes");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.out.find("FLAGLEDGER_DURABILITY"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace flagledger

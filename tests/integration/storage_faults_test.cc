// The real server on a real small file system (a tmpfs or an ext4 image, mounted by the test
// as root; skipped where it cannot mount): a full or read-only disk never takes reads down,
// writes answer 503 with nothing applied and resume by themselves when space comes back, and
// no acknowledged write is lost (README, "Operations").
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/testing/http_client.h"
#include "tests/testing/scoped_mount.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

const std::string kBase = "/api/v1/organizations/org-disk/feature-flags";

std::string Toggle(bool enabled) {
  return enabled ? R"({"enabled":true})" : R"({"enabled":false})";
}

std::uint64_t LastSequence(HttpClient& client) {
  HttpResult page = client.Send("GET", "/api/v1/events?order=desc&limit=1");
  EXPECT_EQ(page.status, 200) << page.body;
  std::size_t at = page.body.find("\"sequence\":");
  return at == std::string::npos ? 0 : std::stoull(page.body.substr(at + 11));
}

// The flags' acknowledged state, kept by the writers.
class Acknowledged {
 public:
  void Record(int flag, bool enabled) {
    std::lock_guard lock(mutex_);
    enabled_[flag] = enabled;
  }
  // Every acknowledged value is what the server answers now.
  void ExpectServedBy(HttpClient& client) {
    std::lock_guard lock(mutex_);
    for (const auto& [flag, enabled] : enabled_) {
      HttpResult read = client.Send("GET", kBase + "/f" + std::to_string(flag));
      ASSERT_EQ(read.status, 200) << read.body;
      EXPECT_NE(read.body.find(enabled ? "\"enabled\":true" : "\"enabled\":false"),
                std::string::npos)
          << "flag f" << flag << ": " << read.body;
    }
  }

 private:
  std::mutex mutex_;
  std::map<int, bool> enabled_;
};

void CreateFlags(HttpClient& client, int count, Acknowledged& acknowledged) {
  for (int i = 0; i < count; ++i) {
    HttpResult created = client.Send(
        "POST", kBase, R"({"flag_key":"f)" + std::to_string(i) + R"(","enabled":false})");
    ASSERT_EQ(created.status, 201) << created.body;
    acknowledged.Record(i, false);
  }
}

// Toggles flags until a write answers 503; returns how many succeeded (at most `limit`).
int WriteUntilRefused(HttpClient& client, int flags, Acknowledged& acknowledged, int limit) {
  for (int i = 0; i < limit; ++i) {
    int flag = i % flags;
    bool enabled = (i / flags) % 2 == 0;
    HttpResult put = client.Send("PUT", kBase + "/f" + std::to_string(flag), Toggle(enabled));
    if (put.status == 503) {
      EXPECT_NE(put.body.find("\"code\":\"unavailable\""), std::string::npos) << put.body;
      return i;
    }
    EXPECT_EQ(put.status, 200) << put.body;
    acknowledged.Record(flag, enabled);
  }
  return limit;
}

// Polls a toggle of flag f0 until it is accepted (storage recovered) or `within` passes.
bool WriteAcceptedWithin(HttpClient& client, Acknowledged& acknowledged,
                         std::chrono::seconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  bool enabled = true;
  while (std::chrono::steady_clock::now() < deadline) {
    HttpResult put = client.Send("PUT", kBase + "/f0", Toggle(enabled));
    if (put.status == 200) {
      acknowledged.Record(0, enabled);
      return true;
    }
    EXPECT_EQ(put.status, 503) << put.body;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

void ExpectReadsServedWhileWritesRefused(HttpClient& client, const ServerProcess& server) {
  EXPECT_EQ(client.Send("GET", kBase + "/f1").status, 200);
  EXPECT_EQ(client.Send("GET", kBase + "?limit=5").status, 200);
  EXPECT_EQ(client.Send("GET", kBase + "/f1/history").status, 200);
  HttpResult ready = client.Send("GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << "reads work, so the server stays ready for them";
  EXPECT_NE(ready.body.find(R"("writes":"unavailable")"), std::string::npos) << ready.body;
  HttpResult metrics = client.Send("GET", "/metrics");
  EXPECT_NE(metrics.body.find("flagledger_storage_healthy 0"), std::string::npos);
  // A refused write appends nothing.
  std::uint64_t before = LastSequence(client);
  EXPECT_EQ(client.Send("PUT", kBase + "/f2", Toggle(true)).status, 503);
  EXPECT_EQ(client.Send("POST", kBase, R"({"flag_key":"new","enabled":true})").status, 503);
  EXPECT_EQ(LastSequence(client), before);
  EXPECT_TRUE(server.running());
}

void ExpectVerifyPasses(const std::string& data_dir) {
  CommandResult verified = RunFlagledger("verify --data-dir " + data_dir);
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
}

// Stops the server cleanly (unless stopped already), checks the log, and starts it again:
// every acknowledged write is served.
void ExpectNothingLostAcrossRestart(ServerProcess& server, Acknowledged& acknowledged) {
  if (server.running()) EXPECT_EQ(server.Stop(), 0) << server.Log();
  ExpectVerifyPasses(server.data_dir());
  server.Start();
  HttpClient after(server.port());
  acknowledged.ExpectServedBy(after);
}

// Starts the server and creates flags f0..f<count - 1>.
void StartWithFlags(ServerProcess& server, int count, Acknowledged& acknowledged) {
  server.Start();
  HttpClient client(server.port());
  CreateFlags(client, count, acknowledged);
}

#define MOUNT_OR_SKIP(mount, make) \
  std::string why;                 \
  auto mount = make;               \
  if (!mount) GTEST_SKIP() << "cannot mount: " << why

TEST(DiskFull, WritesAnswer503ReadsGoOnAndWritesResumeWhenSpaceIsFreed) {
  MOUNT_OR_SKIP(disk, ScopedMount::Tmpfs(24, &why));
  ServerProcess server(disk->path() + "/data", {"--access-log", "off"});
  Acknowledged acknowledged;
  StartWithFlags(server, 20, acknowledged);
  HttpClient client(server.port());

  disk->Fill();
  EXPECT_LT(WriteUntilRefused(client, 20, acknowledged, 5000), 5000) << "the disk never filled";
  ExpectReadsServedWhileWritesRefused(client, server);
  acknowledged.ExpectServedBy(client);

  disk->Unfill();
  ASSERT_TRUE(WriteAcceptedWithin(client, acknowledged, std::chrono::seconds(10)))
      << "writes resume by themselves\n"
      << server.Log();
  EXPECT_EQ(client.Send("GET", "/readyz").body, R"({"status":"ready"})");
  ExpectNothingLostAcrossRestart(server, acknowledged);
}

TEST(DiskFull, ConcurrentWritersFillingTheDiskNeverStopTheServer) {
  MOUNT_OR_SKIP(disk, ScopedMount::Tmpfs(12, &why));
  ServerProcess server(disk->path() + "/data", {"--access-log", "off"});
  Acknowledged acknowledged;
  StartWithFlags(server, 64, acknowledged);
  // About 2 MiB left, so that the writers fill it within seconds also when slow (filling 12 MiB
  // took most of a minute under ThreadSanitizer).
  struct statvfs usage {};
  ASSERT_EQ(statvfs(disk->path().c_str(), &usage), 0);
  std::size_t used_mib = (usage.f_blocks - usage.f_bfree) * usage.f_frsize >> 20;
  ASSERT_TRUE(disk->Resize(used_mib + 3));
  // Eight writers, each on its own flags, until the disk has refused them for a while.
  std::atomic<int> refused{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      HttpClient client(server.port());
      auto stop_after = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      for (int i = 0; refused.load() < 400 && std::chrono::steady_clock::now() < stop_after; ++i) {
        int flag = w * 8 + i % 8;
        bool enabled = (i / 8) % 2 == 0;
        HttpResult put = client.Send("PUT", kBase + "/f" + std::to_string(flag), Toggle(enabled));
        if (put.status == 200) {
          acknowledged.Record(flag, enabled);
        } else {
          ASSERT_EQ(put.status, 503) << put.body;
          refused.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  ASSERT_GE(refused.load(), 400) << "the disk never filled";
  HttpClient client(server.port());
  ExpectReadsServedWhileWritesRefused(client, server);

  ASSERT_TRUE(disk->Resize(64));
  ASSERT_TRUE(WriteAcceptedWithin(client, acknowledged, std::chrono::seconds(15))) << server.Log();
  ExpectNothingLostAcrossRestart(server, acknowledged);
}

TEST(DiskFull, AServerStartedOnAFullDiskServesReadsAndLaterWrites) {
  MOUNT_OR_SKIP(disk, ScopedMount::Tmpfs(16, &why));
  std::string data_dir = disk->path() + "/data";
  ServerProcess server(data_dir, {"--access-log", "off"});
  Acknowledged acknowledged;
  StartWithFlags(server, 10, acknowledged);
  EXPECT_EQ(server.Stop(), 0);
  disk->Fill();

  server.Start();  // comes up ready: reads served from the log, read-only
  EXPECT_NE(server.Log().find("storage refuses writes"), std::string::npos) << server.Log();
  HttpClient client(server.port());
  acknowledged.ExpectServedBy(client);
  ExpectReadsServedWhileWritesRefused(client, server);
  HttpResult ready = client.Send("GET", "/readyz");
  EXPECT_NE(ready.body.find(R"("storage":"read_only")"), std::string::npos) << ready.body;
  EXPECT_NE(client.Send("GET", "/metrics").body.find("flagledger_storage_read_only 1"),
            std::string::npos);

  disk->Unfill();
  ASSERT_TRUE(WriteAcceptedWithin(client, acknowledged, std::chrono::seconds(10))) << server.Log();
  ExpectNothingLostAcrossRestart(server, acknowledged);
}

TEST(ReadOnlyDisk, AFileSystemErrorKeepsReadsGoingAndLosesNothing) {
  MOUNT_OR_SKIP(disk, ScopedMount::Ext4(64, &why));
  ServerProcess server(disk->path() + "/data", {"--access-log", "off"});
  Acknowledged acknowledged;
  StartWithFlags(server, 10, acknowledged);
  HttpClient client(server.port());
  EXPECT_EQ(WriteUntilRefused(client, 10, acknowledged, 30), 30);

  ASSERT_TRUE(disk->TriggerFileSystemError());  // the kernel remounts it read-only
  // Writes into blocks the WAL already holds may still pass; the next block is refused.
  EXPECT_LT(WriteUntilRefused(client, 10, acknowledged, 3000), 3000);
  ExpectReadsServedWhileWritesRefused(client, server);
  acknowledged.ExpectServedBy(client);
  HttpResult metrics = client.Send("GET", "/metrics");
  EXPECT_EQ(metrics.body.find(R"(flagledger_storage_errors_total{kind="read_only"} 0)"),
            std::string::npos)
      << metrics.body;

  // Linux lets no remount undo an emergency read-only: the operator stops the server,
  // repairs and mounts the disk again, and starts it.
  EXPECT_EQ(server.Stop(), 0) << server.Log();
  ASSERT_TRUE(disk->MountAgain());
  ExpectNothingLostAcrossRestart(server, acknowledged);
  HttpClient after(server.port());
  EXPECT_EQ(after.Send("PUT", kBase + "/f3", Toggle(true)).status, 200);
}

}  // namespace
}  // namespace flagledger

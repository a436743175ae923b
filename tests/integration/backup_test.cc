// `flagledger backup` and `flagledger restore` against a real server's data directory: a
// backup taken while clients write restores to a directory that verifies and holds a prefix
// of the source's events.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "events/event_log.h"
#include "tests/testing/http_client.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

// The events of the log in `data_dir` (read beside a running server) up to `last`.
std::vector<std::string> EventsUpTo(const std::string& data_dir, std::uint64_t last) {
  EventLogOptions options;
  options.secondary = true;
  auto log = EventLog::Open(data_dir, options);
  EXPECT_TRUE(log.ok()) << log.status().detail();
  std::vector<std::string> events;
  if (!log.ok()) return events;
  EventRange range;
  range.before = last == EventRange::kEnd ? last : last + 1;
  EXPECT_TRUE((*log)
                  ->Scan(range,
                         [&](std::uint64_t, std::string_view json) {
                           events.emplace_back(json);
                           return true;
                         })
                  .ok());
  return events;
}

std::uint64_t SequenceOf(const std::string& backup_json) {
  std::size_t at = backup_json.find("\"sequence\":");
  return at == std::string::npos ? 0 : std::stoull(backup_json.substr(at + 11));
}

TEST(BackupCommand, ABackupTakenWhileClientsWriteRestoresToAVerifiedPrefix) {
  TempDir dir;
  std::string data_dir = dir.Sub("data");
  ServerProcess server(data_dir, {"--snapshot-every", "500", "--access-log", "off"});
  server.Start();
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      HttpClient client(server.port());
      std::string base = "/api/v1/organizations/org-" + std::to_string(w) + "/feature-flags";
      for (int i = 0; !stop.load(); ++i) {
        HttpResult created = client.Send(
            "POST", base, R"({"flag_key":"f)" + std::to_string(i) + R"(","enabled":true})");
        ASSERT_EQ(created.status, 201) << created.body;
        written.fetch_add(1);
      }
    });
  }
  while (written.load() < 2000) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CommandResult first = RunFlagledger("backup --data-dir " + data_dir + " --to " + dir.Sub("bk"));
  ASSERT_EQ(first.exit_code, 0) << first.out;
  CommandResult second = RunFlagledger("backup --data-dir " + data_dir + " --to " + dir.Sub("bk"));
  ASSERT_EQ(second.exit_code, 0) << second.out;
  stop = true;
  for (std::thread& writer : writers) writer.join();
  EXPECT_NE(first.out.find("\"verified\":true"), std::string::npos) << first.out;
  std::uint64_t held = SequenceOf(first.out);
  EXPECT_GE(held, 2000u);
  EXPECT_GT(SequenceOf(second.out), held);

  CommandResult restored = RunFlagledger("restore --from " + dir.Sub("bk") +
                                         " --backup-id 1 --data-dir " + dir.Sub("restored"));
  ASSERT_EQ(restored.exit_code, 0) << restored.out;
  CommandResult verified = RunFlagledger("verify --data-dir " + dir.Sub("restored"));
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  std::vector<std::string> copy = EventsUpTo(dir.Sub("restored"), EventRange::kEnd);
  EXPECT_EQ(copy.size(), held);
  EXPECT_TRUE(copy == EventsUpTo(data_dir, held)) << "the restored events are the source's prefix";

  // The restored directory serves like the source did at that point.
  ServerProcess restored_server(dir.Sub("restored"));
  restored_server.Start();
  HttpResult page =
      HttpClient(restored_server.port()).Send("GET", "/api/v1/events?order=desc&limit=1");
  EXPECT_NE(page.body.find("\"sequence\":" + std::to_string(held)), std::string::npos) << page.body;
}

TEST(BackupCommand, WorksWithoutAServerAndRestoreRefusesToOverwrite) {
  TempDir dir;
  std::string data_dir = dir.Sub("data");
  ServerProcess server(data_dir);
  server.Start();
  HttpClient client(server.port());
  ASSERT_EQ(client
                .Send("POST", "/api/v1/organizations/org-a/feature-flags",
                      R"({"flag_key":"alpha","enabled":true})")
                .status,
            201);
  ASSERT_EQ(server.Stop(), 0);
  CommandResult backup = RunFlagledger("backup --data-dir " + data_dir + " --to " + dir.Sub("bk"));
  ASSERT_EQ(backup.exit_code, 0) << backup.out;
  EXPECT_EQ(SequenceOf(backup.out), 1u) << backup.out;
  CommandResult listed = RunFlagledger("backup --list --to " + dir.Sub("bk"));
  EXPECT_NE(listed.out.find("\"backup_id\":1"), std::string::npos) << listed.out;

  CommandResult refused =
      RunFlagledger("restore --from " + dir.Sub("bk") + " --data-dir " + data_dir);
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_NE(refused.out.find("is not empty"), std::string::npos) << refused.out;
  server.Start();
  CommandResult running =
      RunFlagledger("restore --force --from " + dir.Sub("bk") + " --data-dir " + data_dir);
  EXPECT_EQ(running.exit_code, 1) << running.out;
  EXPECT_NE(running.out.find("stop it first"), std::string::npos) << running.out;
  EXPECT_EQ(RunFlagledger("backup --to " + dir.Sub("bk")).exit_code, 2);
  EXPECT_EQ(
      RunFlagledger("restore --from " + dir.Sub("bk") + " --data-dir x --backup-id 0").exit_code,
      2);
}

}  // namespace
}  // namespace flagledger

// flagledger history, replay and verify on a data directory a real server wrote.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "events/log_keys.h"
#include "tests/testing/http_client.h"
#include "tests/testing/raw_log.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

class OfflineCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Start();
    HttpClient client(server_.port());
    std::string base = "/api/v1/organizations/org-a/feature-flags";
    for (const char* key : {"alpha", "beta", "gamma"}) {
      ASSERT_EQ(client.Send("POST", base, std::string(R"({"flag_key":")") + key + "\"}").status,
                201);
    }
    ASSERT_EQ(client.Send("PUT", base + "/alpha", R"({"enabled":true})").status, 200);
    ASSERT_EQ(client.Send("DELETE", base + "/beta").status, 200);
    ASSERT_EQ(
        client.Send("POST", "/api/v1/organizations/org-b/feature-flags", R"({"flag_key":"other"})")
            .status,
        201);
  }
  std::string DataDir() const { return dir_.Sub("data"); }

  TempDir dir_;
  // Snapshots every 2 events, so there are some to check.
  ServerProcess server_{dir_.Sub("data"), {"--snapshot-every", "2"}};
};

TEST_F(OfflineCommands, HistoryPrintsATableWhileTheServerRuns) {
  CommandResult result = RunFlagledger("history --data-dir " + DataDir() + " --org org-a");
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_NE(result.out.find("SEQ      RECORDED_AT"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("flag.updated          alpha"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("enabled: false -> true"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("other"), std::string::npos) << "org-b's events stay out";
}

TEST_F(OfflineCommands, HistoryOfOneFlagAsJsonLines) {
  CommandResult result =
      RunFlagledger("history --data-dir " + DataDir() + " --org org-a --flag beta --json");
  EXPECT_EQ(result.exit_code, 0);
  std::size_t lines = std::count(result.out.begin(), result.out.end(), '\n');
  EXPECT_EQ(lines, 2u) << result.out;
  EXPECT_EQ(
      result.out.find(
          R"({"sequence":2,"type":"flag.created","organization_id":"org-a","flag_key":"beta")"),
      0u);
  EXPECT_NE(result.out.find(R"("type":"flag.deleted")"), std::string::npos);
}

TEST_F(OfflineCommands, ReplayPrintsTheApiBodiesAtAnyPoint) {
  HttpClient client(server_.port());
  std::string now = RunFlagledger("replay --data-dir " + DataDir() + " --org org-a").out;
  std::string alpha = client.Send("GET", "/api/v1/organizations/org-a/feature-flags/alpha").body;
  std::string gamma = client.Send("GET", "/api/v1/organizations/org-a/feature-flags/gamma").body;
  EXPECT_EQ(now, alpha + "\n" + gamma + "\n" + "replayed 6 events up to sequence 6; 2 flags\n");

  std::string early = RunFlagledger("replay --data-dir " + DataDir() + " --as-of-event 2").out;
  EXPECT_NE(early.find(R"({"flag_key":"beta")"), std::string::npos) << early;
  EXPECT_EQ(early.find(R"({"flag_key":"gamma")"), std::string::npos) << early;
  std::string before_time =
      RunFlagledger("replay --data-dir " + DataDir() + " --as-of 2000-01-01T00:00:00Z").out;
  EXPECT_EQ(before_time, "replayed 0 events up to sequence 0; 0 flags\n");
}

TEST_F(OfflineCommands, CommandsExplainBadUsage) {
  EXPECT_EQ(
      RunFlagledger("replay --data-dir x --as-of-event 1 --as-of 2026-01-01T00:00:00Z").exit_code,
      2);
  EXPECT_EQ(RunFlagledger("history --data-dir " + DataDir() + " --flag beta").exit_code, 2);
  EXPECT_EQ(RunFlagledger("history --data-dir " + DataDir() + " --format xml").exit_code, 2);
  EXPECT_EQ(RunFlagledger("verify").exit_code, 2);
  CommandResult missing = RunFlagledger("verify --data-dir " + dir_.Sub("nothing-here"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("no event log"), std::string::npos) << missing.out;
  for (const char* command : {"history", "diff", "replay", "verify"}) {
    CommandResult help = RunFlagledger(std::string(command) + " --help");
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("--data-dir"), std::string::npos) << command;
  }
}

TEST_F(OfflineCommands, VerifyPassesOnAHealthyDirectory) {
  CommandResult result = RunFlagledger("verify --data-dir " + DataDir());
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_NE(
      result.out.find("log: 6 events checked against 4 indexes, the checkpoints and the batches"),
      std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("snapshots: 2 of 2 equal the replay"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("OK: 0 problems"), std::string::npos);
}

TEST_F(OfflineCommands, ATokenCreatedWithoutAServerStartsFromTheSnapshotAndKeepsTheLogWhole) {
  ASSERT_EQ(server_.Stop(), 0);
  CommandResult created = RunFlagledger("token create --data-dir " + DataDir() +
                                        " --org org-a --role read --name offline");
  ASSERT_EQ(created.exit_code, 0) << created.out;
  CommandResult verified = RunFlagledger("verify --data-dir " + DataDir());
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_NE(verified.out.find("log: 7 events checked"), std::string::npos) << verified.out;
  EXPECT_NE(RunFlagledger("token list --data-dir " + DataDir()).out.find("offline"),
            std::string::npos);
  server_.Start();
  HttpClient client(server_.port());
  EXPECT_EQ(client.Send("GET", "/api/v1/organizations/org-a/feature-flags/alpha").status, 401)
      << "the new token turned authentication on";
}

TEST_F(OfflineCommands, VerifyCatchesACorruptedIndexEntry) {
  ASSERT_EQ(server_.Stop(), 0);
  {  // Event 4 (alpha's update) filed under the wrong time.
    RawLog raw(DataDir());
    raw.Delete("time_index", internal::TimeIndexKey(Timestamp::FromMicros(0), 4));
    raw.Put("time_index", internal::TimeIndexKey(Timestamp::FromMicros(42), 4), "");
  }
  CommandResult result = RunFlagledger("verify --data-dir " + DataDir());
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("MISMATCH time_index entry for event 4 does not match the log"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("FAILED"), std::string::npos);
}

TEST_F(OfflineCommands, VerifyCatchesACorruptedSnapshotAndTheServerIgnoresIt) {
  ASSERT_EQ(server_.Stop(), 0);
  // How many snapshots exist depends on the snapshotter's pace: a pending request is
  // superseded by a newer one (under TSan often all but the last).
  std::string newest;
  std::size_t snapshots = 0;
  for (const auto& file : std::filesystem::directory_iterator(DataDir() + "/snapshots")) {
    newest = std::max(newest, file.path().string());
    ++snapshots;
  }
  ASSERT_FALSE(newest.empty());
  {
    std::fstream file(newest, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(40);
    file.put('\x55');
  }
  CommandResult result = RunFlagledger("verify --data-dir " + DataDir());
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("snapshot rejected: checksum mismatch"), std::string::npos)
      << result.out;
  std::string tally = "snapshots: " + std::to_string(snapshots - 1) + " of " +
                      std::to_string(snapshots) + " equal the replay";
  EXPECT_NE(result.out.find(tally), std::string::npos) << result.out;

  server_.Start();  // the damaged snapshot is logged and passed over, never trusted
  EXPECT_NE(server_.Log().find(R"("msg":"snapshot ignored")"), std::string::npos) << server_.Log();
  HttpResult alpha =
      HttpClient(server_.port()).Send("GET", "/api/v1/organizations/org-a/feature-flags/alpha");
  EXPECT_EQ(alpha.status, 200);
  EXPECT_NE(alpha.body.find(R"("enabled":true)"), std::string::npos);
  EXPECT_EQ(HttpClient(server_.port())
                .Send("GET", "/api/v1/organizations/org-a/feature-flags/beta")
                .status,
            404);
}

}  // namespace
}  // namespace flagledger

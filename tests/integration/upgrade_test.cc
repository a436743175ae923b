// A data directory written by release 0.9.0 (tests/fixtures/data-0.9.0, made by
// tests/fixtures/make_data_dir.sh) opened by this build: upgraded at start, every flag, event,
// snapshot, token and stored idempotent answer still there, and a directory of a newer schema
// refused with a clear message (docs/operations.md, "Upgrades").
#include <gtest/gtest.h>

#include <filesystem>

#include "events/event_log.h"
#include "tests/testing/http_client.h"
#include "tests/testing/raw_log.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

namespace fs = std::filesystem;

// The read token the fixture's script created (a test secret, nothing else).
const HeaderList kReader = {
    {"Authorization",
     "Bearer flt_b7a2c848b5a8cea68432083b60173446feed013fa3932dd7dc36b060f2c8faff"}};

std::string CopyFixture(const TempDir& dir) {
  std::string data_dir = dir.Sub("data");
  fs::copy(std::string(FLAGLEDGER_SOURCE_DIR) + "/tests/fixtures/data-0.9.0", data_dir,
           fs::copy_options::recursive);
  return data_dir;
}

TEST(Upgrade, AServerOpensADataDirectoryOfRelease090) {
  TempDir dir;
  std::string data_dir = CopyFixture(dir);
  ServerProcess server(data_dir);
  server.Start();
  EXPECT_NE(server.Log().find("upgraded the event log"), std::string::npos) << server.Log();
  EXPECT_NE(server.Log().find("from schema 1 to 2"), std::string::npos) << server.Log();
  EXPECT_NE(server.Log().find(R"("msg":"ready","sequence":11,"flags":5)"), std::string::npos)
      << server.Log();
  HttpClient client(server.port());
  HttpResult checkout =
      client.Send("GET", "/api/v1/organizations/org-alpha/feature-flags/checkout_v2", "", kReader);
  ASSERT_EQ(checkout.status, 200) << checkout.body;
  EXPECT_NE(checkout.body.find(R"("enabled":true)"), std::string::npos) << checkout.body;
  EXPECT_NE(checkout.body.find(R"("min_version":"2.2.0")"), std::string::npos) << checkout.body;
  EXPECT_EQ(
      client.Send("GET", "/api/v1/organizations/org-alpha/feature-flags/old_banner", "", kReader)
          .status,
      404);
  HttpResult history = client.Send(
      "GET", "/api/v1/organizations/org-alpha/feature-flags/checkout_v2/history", "", kReader);
  EXPECT_NE(history.body.find(R"("type":"flag.rollout_updated")"), std::string::npos)
      << history.body;
  EXPECT_EQ(client.Send("GET", "/api/v1/organizations/org-alpha/feature-flags").status, 401)
      << "the fixture's token still turns authentication on";
  EXPECT_EQ(server.Stop(), 0);

  CommandResult verified = RunFlagledger("verify --data-dir " + data_dir);
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_NE(verified.out.find("snapshots: 2 of 2 equal the replay"), std::string::npos)
      << verified.out << "the 0.9.0 snapshots are still read";
  EXPECT_NE(verified.out.find("chain: 11 events, head 11:"), std::string::npos)
      << verified.out << "the upgrade chains every event of the older log";
  EXPECT_NE(server.Log().find("from schema 3 to 4: chains every event"), std::string::npos)
      << server.Log();

  // The answer stored for the fixture's Idempotency-Key reads back; the log id stays.
  std::string log_id;
  {
    auto log = EventLog::Open(data_dir, EventLogOptions{});
    ASSERT_TRUE(log.ok()) << log.status().detail();
    log_id = (*log)->log_id();
    auto stored = (*log)->FindIdempotencyRecord(std::string("org-beta\0fixture-key-1", 22));
    ASSERT_TRUE(stored.ok() && stored->has_value());
    EXPECT_NE((*stored)->response.find("beta_only"), std::string::npos) << (*stored)->response;
  }
  EXPECT_EQ(log_id.size(), 32u);
  server.Start();  // its log file holds both runs
  std::string runs = server.Log();
  std::size_t first = runs.find("from schema 1 to 2");
  EXPECT_EQ(runs.find("from schema 1 to 2", first + 1), std::string::npos)
      << "an upgraded directory is not upgraded again: " << runs;
  EventLogOptions beside_the_server;
  beside_the_server.secondary = true;
  EXPECT_EQ(EventLog::Open(data_dir, beside_the_server).value()->log_id(), log_id);
  HttpResult created = HttpClient(server.port())
                           .Send("POST", "/api/v1/organizations/org-beta/feature-flags",
                                 R"({"flag_key":"after_upgrade","enabled":true})", kReader);
  EXPECT_EQ(created.status, 403) << "a read token may not write: " << created.body;
}

TEST(Upgrade, ADirectoryOfANewerSchemaIsRefusedClearly) {
  TempDir dir;
  std::string data_dir = CopyFixture(dir);
  const std::string newer = std::to_string(EventLog::kSchemaVersion + 1);
  RawLog(data_dir).Put("default", "schema_version", newer);
  CommandResult refused =
      RunFlagledger("serve --listen 127.0.0.1:0 --access-log off --data-dir " + data_dir);
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_NE(refused.out.find("has schema version " + newer + ", written by a newer flagledger"),
            std::string::npos)
      << refused.out;
}

}  // namespace
}  // namespace flagledger

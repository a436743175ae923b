// Damaged or rewound data directories: the server refuses to serve rather than lose or
// rewrite history silently, and says why (README, "Operations").
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "tests/testing/http_client.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

namespace fs = std::filesystem;
const std::string kBase = "/api/v1/organizations/org-damage/feature-flags";

void WriteFlags(const ServerProcess& server, int from, int to) {
  HttpClient client(server.port());
  for (int i = from; i < to; ++i) {
    ASSERT_EQ(
        client.Send("POST", kBase, R"({"flag_key":"f)" + std::to_string(i) + R"(","enabled":true})")
            .status,
        201);
  }
}

CommandResult Serve(const std::string& data_dir) {
  return RunFlagledger("serve --listen 127.0.0.1:0 --access-log off --data-dir " + data_dir);
}

TEST(Damage, ALogRewoundBehindItsSnapshotsRefusesToServe) {
  TempDir dir;
  std::string data_dir = dir.Sub("data");
  ServerProcess server(data_dir, {"--snapshot-every", "10"});
  server.Start();
  WriteFlags(server, 0, 5);
  ASSERT_EQ(server.Stop(), 0);
  fs::copy(data_dir + "/log", dir.Sub("old-log"), fs::copy_options::recursive);
  server.Start();
  WriteFlags(server, 5, 25);  // snapshots after events 10 and 20
  ASSERT_EQ(server.Stop(), 0);
  // The log loses its newest events (an old copy put back, a damaged WAL cut short).
  fs::remove_all(data_dir + "/log");
  fs::copy(dir.Sub("old-log"), data_dir + "/log", fs::copy_options::recursive);

  CommandResult refused = Serve(data_dir);
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_NE(refused.out.find("acknowledged events are missing from the log"), std::string::npos)
      << refused.out;
  EXPECT_NE(refused.out.find("ends at sequence 5"), std::string::npos) << refused.out;
}

TEST(Damage, AWriteAheadLogDamagedInTheMiddleRefusesToServe) {
  TempDir dir;
  std::string data_dir = dir.Sub("data");
  ServerProcess server(data_dir);
  server.Start();
  WriteFlags(server, 0, 300);
  ASSERT_EQ(server.Stop(), 0);
  fs::path wal;
  for (const auto& entry : fs::directory_iterator(data_dir + "/log")) {
    if (entry.path().extension() == ".log" && entry.file_size() > 0) wal = entry.path();
  }
  ASSERT_FALSE(wal.empty());
  {
    std::fstream file(wal, std::ios::in | std::ios::out | std::ios::binary);
    auto middle = static_cast<std::streamoff>(fs::file_size(wal) / 2);
    file.seekg(middle);
    char byte = 0;
    file.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x01);
    file.seekp(middle);
    file.write(&byte, 1);
  }
  CommandResult refused = Serve(data_dir);
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_NE(refused.out.find("is damaged before its end"), std::string::npos) << refused.out;
  CommandResult verified = RunFlagledger("verify --data-dir " + data_dir);
  EXPECT_NE(verified.exit_code, 0) << verified.out;
}

TEST(Damage, VerifyFindsADamagedTableFile) {
  TempDir dir;
  std::string data_dir = dir.Sub("data");
  fs::copy(std::string(FLAGLEDGER_SOURCE_DIR) + "/tests/fixtures/data-0.9.0", data_dir,
           fs::copy_options::recursive);
  fs::path largest;
  for (const auto& entry : fs::directory_iterator(data_dir + "/log")) {
    if (entry.path().extension() == ".sst" &&
        (largest.empty() || entry.file_size() > fs::file_size(largest))) {
      largest = entry.path();
    }
  }
  ASSERT_FALSE(largest.empty());
  {
    std::fstream file(largest, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(20);  // inside the first data block
    file.put('\x42');
  }
  CommandResult verified = RunFlagledger("verify --data-dir " + data_dir);
  EXPECT_EQ(verified.exit_code, 1) << verified.out;
  // Found by the checksum pass, or already on opening when the block is one it reads.
  EXPECT_TRUE(verified.out.find("table files fail their checksums") != std::string::npos ||
              verified.out.find("block checksum mismatch") != std::string::npos)
      << verified.out;
}

TEST(Damage, TheDataDirectoryIsTheServerUsersAlone) {
  TempDir dir;
  std::string data_dir = dir.Sub("data");
  ServerProcess server(data_dir, {"--snapshot-every", "2"});
  server.Start();
  WriteFlags(server, 0, 4);
  ASSERT_EQ(server.Stop(), 0);
  struct stat info {};
  ASSERT_EQ(::stat(data_dir.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0077, 0u) << "mode " << std::oct << info.st_mode;
  for (const auto& entry : fs::recursive_directory_iterator(data_dir)) {
    ASSERT_EQ(::stat(entry.path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0077, 0u) << entry.path() << " mode " << std::oct << info.st_mode;
  }
}

}  // namespace
}  // namespace flagledger

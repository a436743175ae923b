// The HTTP threads' scheduling policy, read from /proc of the real binary: SCHED_BATCH by
// default (see http/server.h) and SCHED_OTHER with --http-sched normal; no other thread
// (writer, RocksDB) is changed.
#include <gtest/gtest.h>
#include <sched.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "tests/testing/http_client.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

// The policy of each of `pid`'s threads (field 41 of /proc/PID/task/TID/stat), counted.
int CountThreadsWithPolicy(pid_t pid, int policy) {
  int count = 0;
  std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks)) {
    std::ifstream file(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    std::size_t name_end = stat.rfind(')');                // the thread's name may hold spaces
    if (name_end == std::string::npos) continue;           // the thread ended while we looked
    std::istringstream fields(stat.substr(name_end + 2));  // from field 3 on
    std::string skipped;
    for (int field = 3; field < 41; ++field) fields >> skipped;
    int thread_policy = -1;
    if (fields >> thread_policy && thread_policy == policy) ++count;
  }
  return count;
}

TEST(ServerThreads, ByDefaultExactlyTheHttpThreadsAreBatch) {
  TempDir dir;
  ServerProcess server(dir.path() + "/data", {"--threads", "3"});
  server.Start();
  // Each thread sets its policy as it starts, which may trail "ready" a little.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (CountThreadsWithPolicy(server.pid(), SCHED_BATCH) < 3 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(CountThreadsWithPolicy(server.pid(), SCHED_BATCH), 3);
  HttpClient client(server.port());
  EXPECT_EQ(client.Send("GET", "/readyz").status, 200);
}

TEST(ServerThreads, HttpSchedNormalLeavesEveryThreadNormal) {
  TempDir dir;
  ServerProcess server(dir.path() + "/data", {"--threads", "3", "--http-sched", "normal"});
  server.Start();
  EXPECT_EQ(CountThreadsWithPolicy(server.pid(), SCHED_BATCH), 0);
  EXPECT_GE(CountThreadsWithPolicy(server.pid(), SCHED_OTHER), 4);  // 3 HTTP + main, writer, ...
  HttpClient client(server.port());
  EXPECT_EQ(client.Send("GET", "/readyz").status, 200);
}

}  // namespace
}  // namespace flagledger

// Connection limits and deadlines against the real binary: slow clients are cut off, floods
// do not lock out a normal client, oversized requests are refused, and the server lives on.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/http_client.h"
#include "tests/testing/raw_connection.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

using std::chrono::milliseconds;

const std::string kFlags = "/api/v1/organizations/org-a/feature-flags";

struct RawAnswer {
  int status = 0;
  std::string request_id;
  std::string body;
};

// Splits a byte stream of HTTP/1.1 answers with Content-Length into answers; a trailing
// incomplete one is left out.
std::vector<RawAnswer> SplitAnswers(const std::string& bytes) {
  std::vector<RawAnswer> answers;
  std::size_t at = 0;
  while (true) {
    std::size_t head_end = bytes.find("\r\n\r\n", at);
    if (head_end == std::string::npos || bytes.compare(at, 9, "HTTP/1.1 ") != 0) break;
    std::string head = bytes.substr(at, head_end - at);
    auto value = [&head](const std::string& name) {
      std::size_t found = head.find("\r\n" + name + ": ");
      if (found == std::string::npos) return std::string();
      std::size_t begin = found + name.size() + 4;
      return head.substr(begin, head.find("\r\n", begin) - begin);
    };
    std::size_t length =
        std::stoul(value("Content-Length").empty() ? "0" : value("Content-Length"));
    if (bytes.size() < head_end + 4 + length) break;
    answers.push_back(
        {std::stoi(head.substr(9, 3)), value("X-Request-Id"), bytes.substr(head_end + 4, length)});
    at = head_end + 4 + length;
  }
  return answers;
}

// Reads from `connection` until `count` whole answers arrived or `timeout` passed.
std::vector<RawAnswer> ReadAnswers(RawConnection& connection, std::size_t count,
                                   milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<RawAnswer> answers;
  while (std::chrono::steady_clock::now() < deadline) {
    answers = SplitAnswers(connection.ReadFor(milliseconds(100)));
    if (answers.size() >= count) break;
  }
  return answers;
}

// Sends `batch`, pipelined requests with X-Request-Id r0, r1, ..., on one connection, and
// checks that their answers come back in order with `statuses`. Returns the answers.
std::vector<RawAnswer> ExpectAnswersInOrder(std::uint16_t port, const std::string& batch,
                                            const std::vector<int>& statuses) {
  RawConnection connection(port);
  EXPECT_TRUE(connection.Send(batch));
  std::vector<RawAnswer> answers = ReadAnswers(connection, statuses.size(), milliseconds(5000));
  EXPECT_EQ(answers.size(), statuses.size()) << connection.received();
  for (std::size_t i = 0; i < answers.size() && i < statuses.size(); ++i) {
    EXPECT_EQ(answers[i].request_id, "r" + std::to_string(i));
    EXPECT_EQ(answers[i].status, statuses[i]) << i;
  }
  return answers;
}

std::string ListRequest(const std::string& id) {
  return "GET " + kFlags + "?limit=100 HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + id + "\r\n\r\n";
}

class LimitsTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

TEST_F(LimitsTest, SlowLorisClientsAreCutOffWhileANormalClientIsServed) {
  ServerProcess server(dir_.Sub("data"), {"--request-timeout", "2", "--access-log", "off"});
  server.Start();
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(slow.back()->connected());
    ASSERT_TRUE(slow.back()->Send("GET " + kFlags + " HTTP/1.1\r\nHost: x\r\n"));
  }
  HttpClient normal(server.port());
  auto start = std::chrono::steady_clock::now();
  int served = 0;
  while (std::chrono::steady_clock::now() - start < milliseconds(1500)) {
    for (auto& connection : slow) connection->Send("X");  // one byte at a time: never a full header
    HttpResult result = normal.Send("GET", kFlags);
    ASSERT_EQ(result.status, 200);
    ++served;
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_GE(served, 5) << "the slow clients do not hold the normal one up";
  for (auto& connection : slow) {
    EXPECT_TRUE(connection->ClosedWithin(milliseconds(3000))) << "cut off by --request-timeout";
  }
  EXPECT_EQ(normal.Send("GET", kFlags).status, 200);
}

TEST_F(LimitsTest, AConnectionFloodMakesRoomForANewClientByClosingTheLongestIdle) {
  ServerProcess server(dir_.Sub("data"), {"--max-connections", "20", "--access-log", "off"});
  server.Start();
  std::vector<std::unique_ptr<RawConnection>> flood;
  for (int i = 0; i < 100; ++i) {
    flood.push_back(std::make_unique<RawConnection>(server.port()));
  }
  std::this_thread::sleep_for(milliseconds(300));
  HttpClient normal(server.port());
  EXPECT_EQ(normal.Send("POST", kFlags, R"({"flag_key":"still-here"})").status, 201);
  EXPECT_EQ(normal.Send("GET", kFlags + "/still-here").status, 200);
  int closed = 0;
  for (auto& connection : flood) closed += connection->ClosedWithin(milliseconds(50)) ? 1 : 0;
  EXPECT_GE(closed, 79)
      << "no more than --max-connections stay open (the normal client's among them)";
  EXPECT_NE(server.Log().find("connection limit reached"), std::string::npos);
  EXPECT_EQ(server.Stop(), 0) << "and the server stops cleanly";
}

TEST_F(LimitsTest, OversizedHeadersCloseTheConnectionAndOversizedBodiesGet413) {
  ServerProcess server(dir_.Sub("data"),
                       {"--max-header-bytes", "2048", "--max-body-bytes", "2048"});
  server.Start();
  HttpClient client(server.port());
  std::string huge_header =
      "GET " + kFlags + " HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(4096, 'a') + "\r\n\r\n";
  EXPECT_EQ(client.SendRaw(huge_header), "") << "closed without an answer";
  HttpResult big =
      client.Send("POST", kFlags, R"({"flag_key":"x","pad":")" + std::string(3000, 'a') + "\"}");
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(big.body.find("larger than 2048 bytes"), std::string::npos) << big.body;
  HttpResult fits = client.Send("POST", kFlags, R"({"flag_key":"fits"})");
  EXPECT_EQ(fits.status, 201);
  EXPECT_EQ(client.Send("GET", kFlags + "/x").status, 404) << "the refused body appended nothing";
}

// A session keeps the request fields in a buffer of its own (2 KiB) and spills past it to the
// heap: requests with more fields than fit, alternating with small ones on one connection, are
// read whole, the fields after the spill included.
TEST_F(LimitsTest, RequestsWithFieldsPastTheSessionsBufferAreReadWhole) {
  ServerProcess server(dir_.Sub("data"), {"--access-log", "off"});
  server.Start();
  HttpClient client(server.port());
  HttpResult created = client.Send("POST", kFlags, R"({"flag_key":"a"})");
  ASSERT_EQ(created.status, 201);
  std::string etag = created.Header("ETag");
  std::string batch;
  for (int i = 0; i < 6; ++i) {
    batch += "GET " + kFlags + "/a HTTP/1.1\r\nHost: x\r\n";
    if (i % 2 == 1) {
      for (int f = 0; f < 40; ++f)
        batch += "X-Filler-" + std::to_string(f) + ": " + std::string(100, 'a' + f % 26) + "\r\n";
      batch += "If-None-Match: " + etag + "\r\n";
    }
    batch += "X-Request-Id: r" + std::to_string(i) + "\r\n\r\n";
  }
  ExpectAnswersInOrder(server.port(), batch, {200, 304, 200, 304, 200, 304});
}

TEST_F(LimitsTest, IdleKeepAliveConnectionsAreClosedAfterTheIdleTimeout) {
  ServerProcess server(dir_.Sub("data"), {"--idle-timeout", "1"});
  server.Start();
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.Send("GET " + kFlags + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(connection.ClosedWithin(milliseconds(500))) << "kept alive for a while";
  EXPECT_NE(connection.received().find("HTTP/1.1 200 OK"), std::string::npos);
  EXPECT_TRUE(connection.ClosedWithin(milliseconds(2500))) << "closed after --idle-timeout";

  RawConnection silent(server.port());  // never sends: its first request gets --request-timeout
  EXPECT_FALSE(silent.ClosedWithin(milliseconds(1500)));
}

// Answers go out in request order, one request at a time: a write between reads is applied
// before the next read is answered. 40 requests are more than the server answers on one
// stack (16) before it yields.
TEST_F(LimitsTest, PipelinedRequestsAreAnsweredInOrderWithAWriteBetweenReads) {
  ServerProcess server(dir_.Sub("data"), {"--access-log", "off"});
  server.Start();
  HttpClient client(server.port());
  ASSERT_EQ(client.Send("POST", kFlags, R"({"flag_key":"a"})").status, 201);
  std::string batch;
  for (int i = 0; i < 40; ++i) {
    std::string id = "\r\nHost: x\r\nX-Request-Id: r" + std::to_string(i) + "\r\n";
    if (i == 20) {
      batch += "POST " + kFlags + " HTTP/1.1" + id +
               "Content-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"flag_key\":\"b\"}";
    } else {
      batch += "GET " + kFlags + (i < 20 ? "/a" : "/b") + " HTTP/1.1" + id + "\r\n";
    }
  }
  std::vector<int> statuses(40, 200);
  statuses[20] = 201;
  std::vector<RawAnswer> answers = ExpectAnswersInOrder(server.port(), batch, statuses);
  ASSERT_EQ(answers.size(), 40u);
  EXPECT_NE(answers[39].body.find(R"("flag_key":"b")"), std::string::npos);
}

// Answers larger than the socket buffers: what the kernel does not take at once is written
// as the client reads, and every byte arrives.
TEST_F(LimitsTest, LargeAnswersReachAClientThatReadsSlowly) {
  ServerProcess server(dir_.Sub("data"), {"--durability", "async", "--access-log", "off"});
  server.Start();
  HttpClient client(server.port());
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(client
                  .Send("POST", kFlags,
                        R"({"flag_key":"flag-)" + std::to_string(i) +
                            R"(","rollout_condition":{"min_version":"1.2.3"}})")
                  .status,
              201);
  }
  std::string page = client.Send("GET", kFlags + "?limit=100").body;
  ASSERT_GT(page.size(), 20000u);
  RawConnection slow(server.port(), 4096);
  ASSERT_TRUE(
      slow.Send(ListRequest("l0") + ListRequest("l1") + ListRequest("l2") + ListRequest("l3")));
  std::this_thread::sleep_for(milliseconds(300));  // the server fills the buffers and waits
  std::vector<RawAnswer> answers = ReadAnswers(slow, 4, milliseconds(5000));
  ASSERT_EQ(answers.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(answers[i].request_id, "l" + std::to_string(i));
    EXPECT_EQ(answers[i].body, page);
  }
}

// --request-timeout also bounds how long an answer may wait for the client to take it.
TEST_F(LimitsTest, AClientThatNeverTakesItsAnswersIsCutOff) {
  ServerProcess server(dir_.Sub("data"),
                       {"--request-timeout", "1", "--durability", "async", "--access-log", "off"});
  server.Start();
  HttpClient client(server.port());
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(
        client.Send("POST", kFlags, R"({"flag_key":"flag-)" + std::to_string(i) + R"("})").status,
        201);
  }
  RawConnection stuck(server.port(), 2048);
  std::string requests;
  // About 9 MB of answers, never read: more than the kernel buffers (up to 4 MB send buffer).
  for (int i = 0; i < 400; ++i) requests += ListRequest("s" + std::to_string(i));
  ASSERT_TRUE(stuck.Send(requests));
  auto connections = [&client] {
    std::string metrics = client.Send("GET", "/metrics").body;
    const std::string name = "\nflagledger_open_connections ";
    std::size_t begin = metrics.find(name) + name.size();
    return metrics.substr(begin, metrics.find('\n', begin) - begin);
  };
  // The server may not have accepted the stuck connection yet when the send returns.
  auto accepted_by = std::chrono::steady_clock::now() + milliseconds(2000);
  while (connections() != "2" && std::chrono::steady_clock::now() < accepted_by) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(connections(), "2");
  auto deadline = std::chrono::steady_clock::now() + milliseconds(6000);
  while (connections() != "1" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(connections(), "1") << "the stuck client was closed after --request-timeout";
  EXPECT_EQ(client.Send("GET", kFlags + "/flag-0").status, 200);
}

TEST_F(LimitsTest, GarbageNeverCrashesTheServer) {
  ServerProcess server(dir_.Sub("data"));
  server.Start();
  HttpClient client(server.port());
  for (const std::string& garbage :
       {std::string("\x00\x01\x02\r\n\r\n", 7), std::string("GET / HTTP/9.9\r\n\r\n"),
        std::string("POST " + kFlags + " HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
        std::string("POST " + kFlags + " HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        std::string("GET /api/v1/organizations/%ZZ/feature-flags HTTP/1.1\r\n\r\n"),
        std::string(100000, 'G')}) {
    client.SendRaw(garbage, 500);
  }
  EXPECT_EQ(client.Send("GET", kFlags).status, 200);
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace flagledger

namespace flagledger {
namespace {

// CPU seconds the process has used (user + system), from /proc/PID/stat.
double CpuSeconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  unsigned long long user = 0, system = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) user = std::stoull(field);
    if (i == 15) system = std::stoull(field);
  }
  return static_cast<double>(user + system) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// With few descriptors (soft 300, hard 400, as a small ulimit -n), the server raises its soft
// limit, lowers --max-connections to what is left after storage and says so, and a flood of
// idle connections past that is met by closing the longest-idle ones: no accept loop spinning
// on EMFILE, and a new client is still served.
TEST(Descriptors, ConnectionsFitTheDescriptorLimitAndAFloodDoesNotSpin) {
  rlimit small{300, 400};
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &small), 0);  // inherited by the server; this test only
  TempDir dir;
  ServerProcess server(dir.Sub("data"));
  server.Start();
  std::string log = server.Log();
  EXPECT_NE(log.find("max_connections lowered to fit the descriptor limit"), std::string::npos)
      << log;
  EXPECT_NE(log.find("\"descriptor_limit\":400"), std::string::npos) << log;
  EXPECT_NE(log.find("\"max_connections\":80"), std::string::npos) << log;

  // More connections than the server's old soft limit (300) allowed descriptors for.
  rlimit wider{400, 400};
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &wider), 0);
  double cpu_before = CpuSeconds(server.pid());
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 350; ++i) idle.push_back(std::make_unique<RawConnection>(server.port()));
  std::this_thread::sleep_for(milliseconds(1000));
  HttpClient client(server.port());
  HttpResult result = client.Send("GET", kFlags);
  EXPECT_EQ(result.status, 200) << "a new client is served at the limit";
  double busy = CpuSeconds(server.pid()) - cpu_before;
  EXPECT_LT(busy, 0.5) << "the server spun while connections were refused or closed";
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace flagledger

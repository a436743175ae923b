// Connection limits and deadlines against the real binary: slow clients are cut off, floods
// do not lock out a normal client, oversized requests are refused, and the server lives on.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/testing/http_client.h"
#include "tests/testing/raw_connection.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

using std::chrono::milliseconds;

const std::string kFlags = "/api/v1/organizations/org-a/feature-flags";

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
  EXPECT_GE(closed, 79) << "no more than --max-connections stay open (the normal client's among them)";
  EXPECT_NE(server.Log().find("connection limit reached"), std::string::npos);
  EXPECT_EQ(server.Stop(), 0) << "and the server stops cleanly";
}

TEST_F(LimitsTest, OversizedHeadersCloseTheConnectionAndOversizedBodiesGet413) {
  ServerProcess server(dir_.Sub("data"), {"--max-header-bytes", "2048", "--max-body-bytes", "2048"});
  server.Start();
  HttpClient client(server.port());
  std::string huge_header = "GET " + kFlags + " HTTP/1.1\r\nHost: x\r\nX-Filler: " +
                            std::string(4096, 'a') + "\r\n\r\n";
  EXPECT_EQ(client.SendRaw(huge_header), "") << "closed without an answer";
  HttpResult big = client.Send("POST", kFlags, R"({"flag_key":"x","pad":")" + std::string(3000, 'a') + "\"}");
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(big.body.find("larger than 2048 bytes"), std::string::npos) << big.body;
  HttpResult fits = client.Send("POST", kFlags, R"({"flag_key":"fits"})");
  EXPECT_EQ(fits.status, 201);
  EXPECT_EQ(client.Send("GET", kFlags + "/x").status, 404) << "the refused body appended nothing";
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

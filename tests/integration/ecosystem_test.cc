// Issue 7 against the real binary: time-travel evaluation, OFREP's error paths and token
// rules, the Server-Sent Events stream (resume, heartbeat, a client too slow), and /metrics
// checked by promtool.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/testing/http_client.h"
#include "tests/testing/raw_connection.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

using std::chrono::milliseconds;

const std::string kFlags = "/api/v1/organizations/org-a/feature-flags";
const std::string kStream = "/api/v1/organizations/org-a/events/stream";

class EcosystemTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> args = {}) {
    server_ = std::make_unique<ServerProcess>(dir_.Sub("data"), std::move(args));
    server_->Start();
    client_ = std::make_unique<HttpClient>(server_->port());
  }
  HttpResult Send(const std::string& method, const std::string& target,
                  const std::string& body = "", const HeaderList& headers = {}) {
    return client_->Send(method, target, body, headers);
  }
  std::uint64_t Sequence() {
    return std::stoull(Send("GET", kFlags).Header("Flagledger-Event-Sequence"));
  }
  std::string RecordedAt(std::uint64_t sequence) {
    std::string page =
        Send("GET", "/api/v1/events?after=" + std::to_string(sequence - 1) + "&limit=1").body;
    std::smatch match;
    std::regex_search(page, match, std::regex(R"re("recorded_at":"([^"]+)")re"));
    return match[1];
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(EcosystemTest, TimeTravelEvaluationUsesTheStateAndTheClockOfThatMoment) {
  Start();
  ASSERT_EQ(Send("POST", kFlags, R"({"flag_key":"beta","enabled":false})").status, 201);
  std::string while_off = RecordedAt(1);
  std::this_thread::sleep_for(milliseconds(5));
  ASSERT_EQ(
      Send(
          "PUT", kFlags + "/beta",
          R"({"enabled":true,"rollout_condition":{"min_version":"2.0.0","activation_date":"2030-01-01T00:00:00Z"}})")
          .status,
      200);

  HttpResult then = Send("GET", kFlags + "/beta/evaluation?version=3.0.0&at=" + while_off);
  ASSERT_EQ(then.status, 200) << then.body;
  EXPECT_EQ(
      then.body,
      R"({"flag_key":"beta","organization_id":"org-a","value":false,"reason":"DISABLED","version":"3.0.0","evaluated_at":")" +
          while_off + R"(","event_sequence":1})");
  EXPECT_EQ(then.Header("Flagledger-Event-Sequence"), "1");
  HttpResult early = Send("GET", kFlags + "/beta/evaluation?version=3.0.0");
  EXPECT_NE(early.body.find(R"("value":false,"reason":"BEFORE_ACTIVATION")"), std::string::npos)
      << early.body;
  HttpResult launch =
      Send("GET", kFlags + "/beta/evaluation?version=3.0.0&at=2030-01-01T00:00:00Z");
  EXPECT_NE(
      launch.body.find(
          R"("value":true,"reason":"TARGETING_MATCH","version":"3.0.0","evaluated_at":"2030-01-01T00:00:00.000000Z","event_sequence":2)"),
      std::string::npos)
      << launch.body;
  HttpResult old_client =
      Send("GET", kFlags + "/beta/evaluation?version=2.0.0-rc.1&at=2030-01-01T00:00:00Z");
  EXPECT_NE(old_client.body.find(R"("value":false,"reason":"VERSION_BELOW_MINIMUM")"),
            std::string::npos);

  std::uint64_t before = Sequence();
  for (const char* bad :
       {"", "?at=2030-01-01T00:00:00Z", "?version=1.0", "?version=1.0.0&at=yesterday",
        "?version=1.0.0&when=now", "?version=1.0.0&version=2.0.0"}) {
    HttpResult refused = Send("GET", kFlags + "/beta/evaluation" + bad);
    EXPECT_EQ(refused.status, 400) << bad << " " << refused.body;
    EXPECT_NE(refused.body.find(R"("code":"invalid_query")"), std::string::npos) << refused.body;
  }
  EXPECT_EQ(Send("GET", kFlags + "/beta/evaluation?version=1.0.0&at=2000-01-01T00:00:00Z").status,
            404)
      << "the flag did not exist then";
  EXPECT_EQ(Send("GET", kFlags + "/nope/evaluation?version=1.0.0").status, 404);
  EXPECT_EQ(Send("POST", kFlags + "/beta/evaluation?version=1.0.0").status, 405);
  EXPECT_EQ(Sequence(), before) << "evaluations append nothing";
}

TEST_F(EcosystemTest, OfrepErrorsAndTheTokensOrganization) {
  Start();
  ASSERT_EQ(Send("POST", kFlags, R"({"flag_key":"beta","enabled":true})").status, 201);
  const std::string single = "/ofrep/v1/evaluate/flags/beta";
  HttpResult parse = Send("POST", single, "{not json");
  EXPECT_EQ(parse.status, 400);
  EXPECT_EQ(parse.body.find(R"({"key":"beta","errorCode":"PARSE_ERROR","errorDetails":)"), 0u)
      << parse.body;
  HttpResult context = Send("POST", single, R"({"context":[1]})");
  EXPECT_EQ(context.body.find(R"({"key":"beta","errorCode":"INVALID_CONTEXT")"), 0u)
      << context.body;
  HttpResult no_org = Send("POST", single, R"({"context":{"version":"1.0.0"}})");
  EXPECT_EQ(no_org.status, 400);
  EXPECT_NE(no_org.body.find("organization_id is required"), std::string::npos);
  HttpResult bulk_bad = Send("POST", "/ofrep/v1/evaluate/flags", R"({"context":5})");
  EXPECT_EQ(bulk_bad.status, 400);
  EXPECT_EQ(bulk_bad.body.find(R"({"errorCode":"INVALID_CONTEXT")"), 0u) << bulk_bad.body;
  HttpResult odd_key =
      Send("POST", "/ofrep/v1/evaluate/flags/%2Fetc", R"({"context":{"organization_id":"org-a"}})");
  EXPECT_EQ(odd_key.status, 404);
  EXPECT_EQ(odd_key.body.find(R"({"key":"/etc","errorCode":"FLAG_NOT_FOUND")"), 0u) << odd_key.body;
  EXPECT_EQ(Send("GET", single).status, 405);

  HttpResult bulk =
      Send("POST", "/ofrep/v1/evaluate/flags", R"({"context":{"organization_id":"org-a"}})");
  ASSERT_EQ(bulk.status, 200);
  std::string etag = bulk.Header("ETag");
  EXPECT_EQ(Send("POST", "/ofrep/v1/evaluate/flags", R"({"context":{"organization_id":"org-a"}})",
                 {{"If-None-Match", etag}})
                .status,
            304);
  ASSERT_EQ(Send("PUT", kFlags + "/beta", R"({"enabled":false})").status, 200);
  HttpResult changed =
      Send("POST", "/ofrep/v1/evaluate/flags", R"({"context":{"organization_id":"org-a"}})",
           {{"If-None-Match", etag}});
  EXPECT_EQ(changed.status, 200) << "a change makes a new ETag";
  EXPECT_NE(changed.Header("ETag"), etag);

  CommandResult created = RunFlagledger("token create --data-dir " + server_->data_dir() +
                                        " --org org-b --role read --name sdk-b");
  std::smatch secret;
  ASSERT_TRUE(std::regex_search(created.out, secret, std::regex("flt_[0-9a-f]{64}")))
      << created.out;
  HeaderList bearer = {{"Authorization", "Bearer " + secret.str()}};
  HttpResult other = Send("POST", single, R"({"context":{"organization_id":"org-a"}})", bearer);
  EXPECT_EQ(other.status, 403) << "a token for org-b never evaluates org-a's flags";
  HttpResult own = Send("POST", single, R"({"context":{}})", bearer);
  EXPECT_EQ(own.status, 404) << "org-b has no flag beta";
  EXPECT_EQ(Send("POST", single, R"({"context":{"organization_id":"org-a"}})").status, 401);

  CommandResult operator_token = RunFlagledger("token create --data-dir " + server_->data_dir() +
                                               " --org '*' --role admin --name ops");
  ASSERT_TRUE(std::regex_search(operator_token.out, secret, std::regex("flt_[0-9a-f]{64}")));
  HeaderList operator_bearer = {{"Authorization", "Bearer " + secret.str()}};
  HttpResult any_org =
      Send("POST", single, R"({"context":{"organization_id":"org-a"}})", operator_bearer);
  EXPECT_EQ(any_org.status, 200) << "an operator token evaluates the context's organization";
  EXPECT_EQ(any_org.body.find(R"({"key":"beta","value":false,"reason":"DISABLED")"), 0u)
      << any_org.body;
  HttpResult unnamed = Send("POST", single, R"({"context":{}})", operator_bearer);
  EXPECT_EQ(unnamed.status, 400) << "and needs the context to name one";
  EXPECT_NE(unnamed.body.find("INVALID_CONTEXT"), std::string::npos);
}

TEST_F(EcosystemTest, TheStreamResumesAfterLastEventIdAndSendsHeartbeats) {
  Start({"--stream-heartbeat", "1"});
  for (const char* key : {"a", "b", "c"}) {
    ASSERT_EQ(Send("POST", kFlags, std::string(R"({"flag_key":")") + key + "\"}").status, 201);
  }
  ASSERT_EQ(Send("POST", "/api/v1/organizations/org-b/feature-flags", R"({"flag_key":"x"})").status,
            201);
  RawConnection stream(server_->port());
  ASSERT_TRUE(stream.Send("GET " + kStream + " HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 1\r\n\r\n"));
  std::string received = stream.ReadFor(milliseconds(300));
  EXPECT_NE(received.find("HTTP/1.1 200 OK"), std::string::npos) << received;
  EXPECT_NE(received.find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_EQ(received.find("id: 1\n"), std::string::npos) << "after Last-Event-ID";
  EXPECT_NE(received.find("id: 2\nevent: flag.created\ndata: "
                          "{\"sequence\":2,\"type\":\"flag.created\",\"organization_id\":\"org-a\","
                          "\"flag_key\":\"b\""),
            std::string::npos)
      << received;
  EXPECT_NE(received.find("id: 3\n"), std::string::npos);
  EXPECT_EQ(received.find("id: 4\n"), std::string::npos) << "org-b's event stays out";

  ASSERT_EQ(Send("DELETE", kFlags + "/a").status, 200);  // live, sequence 5
  received = stream.ReadFor(milliseconds(1500));
  EXPECT_NE(received.find("id: 5\nevent: flag.deleted\n"), std::string::npos) << received;
  EXPECT_NE(received.find(": heartbeat\n\n"), std::string::npos)
      << "a comment after 1 s of silence";
  EXPECT_FALSE(stream.ClosedWithin(milliseconds(10)));

  HttpResult metrics = Send("GET", "/metrics");
  EXPECT_NE(metrics.body.find("flagledger_open_streams 1\n"), std::string::npos) << metrics.body;

  EXPECT_EQ(Send("GET", kStream, "", {{"Last-Event-ID", "x1"}}).status, 400);
  EXPECT_EQ(Send("GET", kStream + "?after=-1").status, 400);
  EXPECT_EQ(Send("GET", kStream + "?from=1").status, 400);
  EXPECT_EQ(Send("POST", kStream).status, 405);
}

// The whole log's stream (a follower's feed): every organization's events and the token
// events, in sequence order, resumable like an organization's.
TEST_F(EcosystemTest, TheWholeLogStreamsEveryEventInOrder) {
  Start();
  ASSERT_EQ(Send("POST", kFlags, R"({"flag_key":"a"})").status, 201);
  ASSERT_EQ(Send("POST", "/api/v1/organizations/org-b/feature-flags", R"({"flag_key":"x"})").status,
            201);
  RawConnection stream(server_->port());
  ASSERT_TRUE(stream.Send("GET /api/v1/events/stream?after=0 HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string received = stream.ReadFor(milliseconds(300));
  EXPECT_NE(received.find("Content-Type: text/event-stream"), std::string::npos) << received;
  EXPECT_LT(received.find("id: 1\nevent: flag.created\n"), received.find("id: 2\n")) << received;
  EXPECT_NE(received.find("\"organization_id\":\"org-b\""), std::string::npos);

  CommandResult token = RunFlagledger("token create --data-dir " + server_->data_dir() +
                                      " --org org-a --role read --name reader");
  ASSERT_EQ(token.exit_code, 0) << token.out;
  received = stream.ReadFor(milliseconds(1000));
  EXPECT_NE(received.find("id: 3\nevent: token.created\n"), std::string::npos) << received;

  // Authentication is on now: the whole log's stream needs an operator (or '*' auditor) token.
  std::smatch secret;
  ASSERT_TRUE(std::regex_search(token.out, secret, std::regex("flt_[0-9a-f]{64}")));
  HeaderList reader = {{"Authorization", "Bearer " + secret.str()}};
  EXPECT_EQ(Send("GET", "/api/v1/events/stream", "", reader).status, 403);
  EXPECT_EQ(Send("POST", "/api/v1/events/stream", "", reader).status, 405);
}

TEST_F(EcosystemTest, AStreamClientTooSlowToKeepUpIsDisconnected) {
  Start({"--request-timeout", "1", "--durability", "async", "--access-log", "off"});
  RawConnection slow(server_->port(), 2048);
  ASSERT_TRUE(slow.Send("GET " + kStream + "?after=0 HTTP/1.1\r\nHost: x\r\n\r\n"));
  // Never reads: once the socket buffers are full, a frame waits past --request-timeout.
  std::string pad(2000, 'x');
  for (int i = 0; i < 1500; ++i) {
    std::string body = R"({"flag_key":"k)" + std::to_string(i) + R"(","enabled":true})";
    ASSERT_EQ(Send("POST", kFlags, body).status, 201);
    for (int j = 0; j < 3; ++j)
      Send("PUT", kFlags + "/k" + std::to_string(i),
           j % 2 ? R"({"enabled":true})" : R"({"enabled":false})");
    if (server_->Log().find("the client did not keep up") != std::string::npos) break;
  }
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_NE(server_->Log().find("change stream closed: the client did not keep up"),
            std::string::npos);
  EXPECT_TRUE(slow.ClosedWithin(milliseconds(5000)));
  EXPECT_EQ(Send("GET", kFlags + "/k0").status, 200) << "everyone else is served";
  EXPECT_NE(Send("GET", "/metrics").body.find("flagledger_open_streams 0\n"), std::string::npos);
}

TEST_F(EcosystemTest, MetricsPassPromtool) {
  Start();
  ASSERT_EQ(Send("POST", kFlags, R"({"flag_key":"beta"})").status, 201);
  Send("GET", kFlags + "/beta");
  Send("GET", kFlags + "/missing");
  Send("GET", "/no/such/route");
  HttpResult metrics = Send("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = metrics.body;
  for (
      const char* expected :
      {R"(flagledger_http_requests_total{route="/api/v1/organizations/{org}/feature-flags",method="POST",status="201"} 1)",
       R"(flagledger_http_requests_total{route="/api/v1/organizations/{org}/feature-flags/{flag_key}",method="GET",status="404"} 1)",
       R"(flagledger_http_requests_total{route="unmatched",method="GET",status="404"} 1)",
       R"(flagledger_http_request_duration_seconds_count{route="/api/v1/organizations/{org}/feature-flags/{flag_key}"} 2)",
       "flagledger_events_appended_total 1\n", "flagledger_log_sequence 1\n",
       "flagledger_flags 1\n", "flagledger_wal_append_seconds_count 1\n",
       "flagledger_write_batch_events_bucket{le=\"1\"} 1\n", "flagledger_open_connections 1\n",
       "flagledger_open_streams 0\n"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
  std::string path = dir_.Sub("metrics.txt");
  std::ofstream(path) << text;
  CommandResult checked{};
  FILE* pipe = popen(("promtool check metrics < " + path + " 2>&1").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof(buffer), pipe)) checked.out.append(buffer, n);
  int status = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "promtool (Debian package prometheus) says:\n"
                                    << checked.out;
}

}  // namespace
}  // namespace flagledger

// Contract gaps found by black-box tests, each fixed and held here: paging far past the end,
// Expect: 100-continue, OFREP's query string, a malformed ?after= beside Last-Event-ID, the
// messages of query errors, an empty Idempotency-Key, and the build's version.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/testing/raw_connection.h"
#include "tests/testing/server_test.h"

namespace flagledger {
namespace {

class ContractGaps : public ServerTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(Post(Base(), R"({"flag_key":"beta","enabled":true})").status, 201);
    sequence_before_ = Sequence();
  }
  // Each test sends only requests that must change nothing.
  void TearDown() override { EXPECT_EQ(Sequence(), sequence_before_) << "something was appended"; }

  std::uint64_t sequence_before_ = 0;
};

TEST_F(ContractGaps, APagePastTheLastIsEmptyUpToTwoToTheFiftyThree) {
  for (std::string page : {"4294967296", "9007199254740991"}) {
    HttpResult result = Get(Base() + "?page=" + page);
    EXPECT_EQ(result.status, 200) << result.body;
    EXPECT_EQ(result.body.substr(0, 11), R"({"data":[],)") << result.body;
    EXPECT_NE(result.body.find(R"("page":)" + page + ","), std::string::npos) << result.body;
    EXPECT_NE(result.body.find(R"("total":1)"), std::string::npos) << result.body;
  }
  ExpectProblem(Get(Base() + "?page=9007199254740992"), 400, "invalid_query");
}

TEST_F(ContractGaps, AnUnknownQueryParameterNamesTheAcceptedOnes) {
  HttpResult result = Get(Base() + "?bogus=1");
  ExpectProblem(result, 400, "invalid_query");
  EXPECT_NE(result.body.find("unknown query parameter 'bogus'; this endpoint accepts page, limit, "
                             "as_of, as_of_event"),
            std::string::npos)
      << result.body;
  HttpResult write = Delete(Base() + "/beta?force=1");
  ExpectProblem(write, 400, "invalid_query");
  EXPECT_NE(write.body.find("this endpoint takes no query parameters"), std::string::npos)
      << write.body;
}

TEST_F(ContractGaps, AnInvalidVersionSaysSoOnce) {
  HttpResult result = Get(Base() + "/beta/evaluation?version=3.1");
  ExpectProblem(result, 400, "invalid_query");
  EXPECT_EQ(result.body.find("version version"), std::string::npos) << result.body;
  EXPECT_NE(result.body.find("query parameter 'version' ('3.1') is invalid: version must be "
                             "MAJOR.MINOR.PATCH"),
            std::string::npos)
      << result.body;
}

TEST_F(ContractGaps, AnEmptyIdempotencyKeyIsRefused) {
  HttpResult result = Put(Base() + "/beta", R"({"enabled":false})", {{"Idempotency-Key", ""}});
  ExpectProblem(result, 422, "validation_failed");
  EXPECT_NE(result.body.find(R"("field":"Idempotency-Key")"), std::string::npos) << result.body;
}

TEST_F(ContractGaps, OfrepRefusesQueryParametersInsteadOfIgnoringThem) {
  for (std::string query : {"?as_of=2026-01-01T00:00:00Z", "?bogus=1"}) {
    HttpResult single = Post("/ofrep/v1/evaluate/flags/beta" + query,
                             R"({"context":{"organization_id":")" + Org() + R"("}})");
    EXPECT_EQ(single.status, 400) << single.body;
    EXPECT_NE(single.body.find(R"("errorCode":"GENERAL")"), std::string::npos) << single.body;
    EXPECT_NE(single.body.find("takes no query parameters"), std::string::npos) << single.body;
    HttpResult bulk = Post("/ofrep/v1/evaluate/flags" + query,
                           R"({"context":{"organization_id":")" + Org() + R"("}})");
    EXPECT_EQ(bulk.status, 400) << bulk.body;
  }
}

TEST_F(ContractGaps, AMalformedAfterIsRefusedBesideLastEventId) {
  for (std::string after : {"abc", "-0", "99999999999999999999"}) {
    HttpResult result = Get("/api/v1/organizations/" + Org() + "/events/stream?after=" + after,
                            {{"Last-Event-ID", "1"}});
    ExpectProblem(result, 400, "invalid_query");
  }
}

// curl -T sends Expect: 100-continue and waits (about a second) for the go-ahead.
TEST_F(ContractGaps, ExpectContinueIsAnsweredBeforeTheBodyIsSent) {
  RawConnection connection(server_->port());
  std::string body = R"({"flag_key":"beta","enabled":true})";
  ASSERT_TRUE(connection.Send("POST " + Base() +
                              " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              "Content-Length: " +
                              std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_EQ(connection.ReadFor(std::chrono::milliseconds(300)), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(connection.Send(body));
  std::string answer = connection.ReadFor(std::chrono::milliseconds(500));
  EXPECT_NE(answer.find("HTTP/1.1 409 Conflict"), std::string::npos) << answer;
}

TEST_F(ContractGaps, ABodyTooLargeGetsNoContinue) {
  RawConnection connection(server_->port());
  ASSERT_TRUE(connection.Send("PUT " + Base() +
                              "/beta HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              "Content-Length: 10000000\r\nExpect: 100-continue\r\n\r\n"));
  std::string answer = connection.ReadFor(std::chrono::milliseconds(500));
  EXPECT_EQ(answer.find("100 Continue"), std::string::npos) << answer;
  EXPECT_NE(answer.find("HTTP/1.1 413 "), std::string::npos) << answer;
}

TEST_F(ContractGaps, TheVersionIsPrintedAndExported) {
  CommandResult version = RunFlagledger("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("flagledger 0.", 0), 0u) << version.out;
  EXPECT_NE(version.out.find("(commit "), std::string::npos) << version.out;
  EXPECT_EQ(RunFlagledger("version").out, version.out);
  HttpResult metrics = Get("/metrics");
  EXPECT_NE(metrics.body.find("flagledger_build_info{version=\"0."), std::string::npos);
}

}  // namespace
}  // namespace flagledger

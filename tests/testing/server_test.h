// A fixture that shares one real flagledger server per test suite; each test works in its own
// organization, named after the test.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include "tests/testing/http_client.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new ServerProcess(dir_->Sub("data"));
    server_->Start();
  }
  // Stops the server and checks that the data directory it leaves verifies, hash chain
  // included: every healthy directory of the suite must.
  static void TearDownTestSuite() {
    if (server_->running() && server_->Stop() == 0) {
      CommandResult verified = RunFlagledger("verify --data-dir " + server_->data_dir());
      EXPECT_EQ(verified.exit_code, 0) << verified.out;
    }
    delete server_;
    delete dir_;
    server_ = nullptr;
    dir_ = nullptr;
  }

  // An organization id of this test's own, e.g. "org-CreateReturns201".
  std::string Org() const {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    return "org-" + name.substr(0, 100);
  }
  std::string Base() const { return "/api/v1/organizations/" + Org() + "/feature-flags"; }

  HttpResult Get(const std::string& target, const HeaderList& headers = {}) {
    return client_.Send("GET", target, "", headers);
  }
  HttpResult Post(const std::string& target, const std::string& body,
                  const HeaderList& headers = {}) {
    return client_.Send("POST", target, body, headers);
  }
  HttpResult Put(const std::string& target, const std::string& body,
                 const HeaderList& headers = {}) {
    return client_.Send("PUT", target, body, headers);
  }
  HttpResult Patch(const std::string& target, const std::string& body,
                   const HeaderList& headers = {}) {
    return client_.Send("PATCH", target, body, headers);
  }
  HttpResult Delete(const std::string& target, const HeaderList& headers = {}) {
    return client_.Send("DELETE", target, "", headers);
  }

  // Creates a flag in this test's organization and checks that it worked.
  HttpResult Create(const std::string& body) {
    HttpResult result = Post(Base(), body);
    EXPECT_EQ(result.status, 201) << result.body;
    return result;
  }

  // The newest sequence the server has applied (from a flag read's header).
  std::uint64_t Sequence() {
    HttpResult result = Get("/api/v1/organizations/sequence-probe/feature-flags");
    EXPECT_EQ(result.status, 200);
    return std::stoull(result.Header("Flagledger-Event-Sequence"));
  }

  // How many events this test's organization has.
  std::size_t Events() {
    HttpResult page = Get("/api/v1/organizations/" + Org() + "/events?limit=1000");
    std::size_t count = 0;
    for (std::size_t at = page.body.find("{\"sequence\":"); at != std::string::npos;
         at = page.body.find("{\"sequence\":", at + 1)) {
      ++count;
    }
    return count;
  }

  // Replaces every rendered server time with <t>, so exact bodies can be compared.
  static std::string MaskTimes(const std::string& body) {
    static const std::regex kTime(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
    return std::regex_replace(body, kTime, "<t>");
  }

  // Checks a problem+json answer: status, content type, code, and the members' order.
  static void ExpectProblem(const HttpResult& result, int status, const std::string& code) {
    EXPECT_EQ(result.status, status) << result.body;
    EXPECT_EQ(result.Header("Content-Type"), "application/problem+json");
    std::string prefix = "{\"type\":\"about:blank\",\"title\":\"";
    EXPECT_EQ(result.body.substr(0, prefix.size()), prefix) << result.body;
    EXPECT_NE(result.body.find(",\"status\":" + std::to_string(status) + ",\"detail\":\""),
              std::string::npos)
        << result.body;
    EXPECT_NE(result.body.find(",\"code\":\"" + code + "\""), std::string::npos) << result.body;
    EXPECT_FALSE(result.Header("X-Request-Id").empty());
  }

  static TempDir* dir_;
  static ServerProcess* server_;
  HttpClient client_{server_->port()};
};

}  // namespace flagledger

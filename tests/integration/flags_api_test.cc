// The six flag endpoints (docs/api.md, "Flag endpoints") against the real server.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <regex>
#include <thread>
#include <vector>

#include "tests/testing/server_test.h"

namespace flagledger {
namespace {

using FlagsApi = ServerTest;

constexpr char kSeedCreate[] =
    R"({"flag_key":"peer_review_module","enabled":false,"rollout_condition":)"
    R"({"min_version":"3.1.0","activation_date":"2026-06-01T00:00:00Z"}})";

TEST_F(FlagsApi, CreateAnswers201WithLocationAndTheFlag) {
  HttpResult created = Post(Base(), kSeedCreate);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Header("Content-Type"), "application/json");
  EXPECT_EQ(created.Header("Location"), Base() + "/peer_review_module");
  EXPECT_EQ(MaskTimes(created.body),
            R"({"flag_key":"peer_review_module","enabled":false,"organization_id":")" + Org() +
                R"(","rollout_condition":{"min_version":"3.1.0","activation_date":"<t>"},)"
                R"("created_at":"<t>","updated_at":"<t>"})");
  EXPECT_NE(created.body.find(R"("activation_date":"2026-06-01T00:00:00Z")"), std::string::npos);
}

TEST_F(FlagsApi, CreateStampsServerTimes) {
  HttpResult created = Create(R"({"flag_key":"x"})");
  std::regex times(R"re("created_at":"(\S{20})","updated_at":"(\S{20})")re");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(created.body, match, times)) << created.body;
  EXPECT_EQ(match[1], match[2]);
}

TEST_F(FlagsApi, CreateDefaultsToDisabledWithoutCondition) {
  HttpResult created = Create(R"({"flag_key":"plain"})");
  EXPECT_EQ(MaskTimes(created.body),
            R"({"flag_key":"plain","enabled":false,"organization_id":")" + Org() +
                R"(","rollout_condition":null,"created_at":"<t>","updated_at":"<t>"})");
}

TEST_F(FlagsApi, CreateStoresAnAllNullConditionAsNull) {
  HttpResult created =
      Create(R"({"flag_key":"x","rollout_condition":{"min_version":null,"activation_date":null}})");
  EXPECT_NE(created.body.find(R"("rollout_condition":null)"), std::string::npos) << created.body;
}

TEST_F(FlagsApi, CreateNormalizesOffsetsToUtc) {
  HttpResult created = Create(
      R"({"flag_key":"x","rollout_condition":{"activation_date":"2026-01-15T01:00:00.000+01:00"}})");
  EXPECT_NE(
      created.body.find(
          R"("rollout_condition":{"min_version":null,"activation_date":"2026-01-15T00:00:00Z"})"),
      std::string::npos)
      << created.body;
}

TEST_F(FlagsApi, GetReturnsTheStoredFlagWithItsSequence) {
  HttpResult created = Create(kSeedCreate);
  HttpResult fetched = Get(Base() + "/peer_review_module");
  ASSERT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.body, created.body);
  EXPECT_EQ(fetched.Header("Content-Type"), "application/json");
  EXPECT_EQ(std::stoull(fetched.Header("Flagledger-Event-Sequence")), Sequence());
}

TEST_F(FlagsApi, PathSegmentsArePercentDecoded) {
  Create(R"({"flag_key":"a.b-c"})");
  HttpResult fetched = Get("/api/v1/organizations/" + Org() + "/feature-flags/a%2Eb%2Dc");
  EXPECT_EQ(fetched.status, 200) << fetched.body;
}

TEST_F(FlagsApi, KeysAreCaseSensitive) {
  Create(R"({"flag_key":"Beta"})");
  Create(R"({"flag_key":"beta"})");
  EXPECT_EQ(Get(Base() + "/BETA").status, 404);
}

TEST_F(FlagsApi, ListOrdersByKeyBytewise) {
  for (const char* key : {"b", "B", "a_1", "a-1", "a", "0"}) {
    Create(std::string(R"({"flag_key":")") + key + "\"}");
  }
  HttpResult listed = Get(Base());
  ASSERT_EQ(listed.status, 200);
  std::regex key_pattern(R"re("flag_key":"([^"]+)")re");
  std::vector<std::string> keys;
  for (auto it = std::sregex_iterator(listed.body.begin(), listed.body.end(), key_pattern);
       it != std::sregex_iterator(); ++it) {
    keys.push_back((*it)[1]);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"0", "B", "a", "a-1", "a_1", "b"}));
  EXPECT_NE(listed.body.find(R"("pagination":{"page":1,"limit":20,"total":6}})"),
            std::string::npos);
  EXPECT_FALSE(listed.Header("Flagledger-Event-Sequence").empty());
}

TEST_F(FlagsApi, ListPaginates) {
  for (int i = 0; i < 25; ++i) {
    char key[8];
    std::snprintf(key, sizeof(key), "k%02d", i);
    Create(std::string(R"({"flag_key":")") + key + "\"}");
  }
  HttpResult second = Get(Base() + "?page=2&limit=10");
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(second.body.find(R"({"data":[{"flag_key":"k10")"), 0u) << second.body;
  EXPECT_NE(second.body.find(R"({"flag_key":"k19")"), std::string::npos);
  EXPECT_EQ(second.body.find(R"({"flag_key":"k20")"), std::string::npos);
  EXPECT_NE(second.body.find(R"("pagination":{"page":2,"limit":10,"total":25}})"),
            std::string::npos);

  HttpResult last = Get(Base() + "?page=3&limit=10");
  EXPECT_NE(last.body.find(R"({"flag_key":"k24")"), std::string::npos);
  EXPECT_EQ(last.body.find(R"({"flag_key":"k19")"), std::string::npos);

  HttpResult past = Get(Base() + "?page=4&limit=10");
  EXPECT_EQ(past.status, 200);
  EXPECT_EQ(past.body, R"({"data":[],"pagination":{"page":4,"limit":10,"total":25}})");

  HttpResult full = Get(Base() + "?limit=100");
  EXPECT_NE(full.body.find(R"("pagination":{"page":1,"limit":100,"total":25}})"),
            std::string::npos);
}

// Current pages are kept rendered with their organization's state (http/list_page_cache.h):
// each read after a write sees it, whichever page was kept last.
TEST_F(FlagsApi, AListPageReadAgainFollowsEveryWrite) {
  Create(R"({"flag_key":"a"})");
  Create(R"({"flag_key":"b"})");
  std::string first = Get(Base()).body;
  EXPECT_EQ(Get(Base()).body, first);
  ASSERT_EQ(Put(Base() + "/b", R"({"enabled":true})").status, 200);
  std::string after_put = Get(Base()).body;
  EXPECT_NE(after_put.find(R"({"flag_key":"b","enabled":true)"), std::string::npos) << after_put;

  std::string second = Get(Base() + "?page=2&limit=1").body;  // now the page kept
  EXPECT_EQ(second.find(R"({"data":[{"flag_key":"b")"), 0u) << second;
  EXPECT_NE(second.find(R"("pagination":{"page":2,"limit":1,"total":2}})"), std::string::npos);
  EXPECT_EQ(Get(Base()).body, after_put);

  ASSERT_EQ(Delete(Base() + "/a").status, 200);
  std::string after_delete = Get(Base()).body;
  EXPECT_EQ(after_delete.find(R"("flag_key":"a")"), std::string::npos) << after_delete;
  EXPECT_NE(after_delete.find(R"("pagination":{"page":1,"limit":20,"total":1}})"),
            std::string::npos);
  EXPECT_EQ(Get(Base() + "?page=2&limit=1").body,
            R"({"data":[],"pagination":{"page":2,"limit":1,"total":1}})");

  ASSERT_EQ(
      Post("/api/v1/organizations/" + Org() + "-other/feature-flags", R"({"flag_key":"c"})").status,
      201);
  EXPECT_EQ(Get(Base()).body, after_delete) << "a write elsewhere";
  HttpResult head = client_.Send("HEAD", Base(), "");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("Content-Length"), std::to_string(after_delete.size()));
  EXPECT_EQ(head.body, "");

  std::smatch kept;
  std::string metrics = Get("/metrics").body;
  ASSERT_TRUE(
      std::regex_search(metrics, kept, std::regex(R"(\nflagledger_list_page_cache_bytes (\d+))")));
  EXPECT_GT(std::stoull(kept[1]), 0u);
}

// With --page-cache-mb 0 nothing is kept, and every page reads the same.
TEST(ListPageCacheOff, ServesTheSamePages) {
  TempDir dir;
  ServerProcess server(dir.Sub("data"), {"--page-cache-mb", "0"});
  server.Start();
  HttpClient client(server.port());
  const std::string base = "/api/v1/organizations/org-a/feature-flags";
  ASSERT_EQ(client.Send("POST", base, R"({"flag_key":"a"})").status, 201);
  std::string page = client.Send("GET", base).body;
  EXPECT_EQ(page.find(R"({"data":[{"flag_key":"a","enabled":false)"), 0u) << page;
  ASSERT_EQ(client.Send("PUT", base + "/a", R"({"enabled":true})").status, 200);
  EXPECT_NE(client.Send("GET", base).body.find(R"({"flag_key":"a","enabled":true)"),
            std::string::npos);
  EXPECT_NE(client.Send("GET", "/metrics").body.find("\nflagledger_list_page_cache_bytes 0\n"),
            std::string::npos);
}

// More flags than one chunk of the projection's lists holds (projections/sorted_chunks.h), then
// deletions scattered through them: every page, of any size, holds the right keys in order.
TEST_F(FlagsApi, ListPagesThroughALargeOrganization) {
  constexpr int kFlags = 1200;
  auto key = [](int i) {
    char text[16];
    std::snprintf(text, sizeof(text), "k%04d", i);
    return std::string(text);
  };
  auto in_parallel = [&](const std::function<void(HttpClient&, int)>& write) {
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        HttpClient client(server_->port());
        for (int i = w; i < kFlags; i += 4) write(client, i);
      });
    }
    for (auto& writer : writers) writer.join();
  };
  std::atomic<int> failures{0};
  in_parallel([&](HttpClient& client, int i) {
    if (client.Send("POST", Base(), R"({"flag_key":")" + key(i) + "\"}").status != 201) ++failures;
  });
  in_parallel([&](HttpClient& client, int i) {
    if (i % 7 == 3 && client.Send("DELETE", Base() + "/" + key(i), "").status != 200) ++failures;
  });
  ASSERT_EQ(failures.load(), 0);
  std::vector<std::string> expected;
  for (int i = 0; i < kFlags; ++i) {
    if (i % 7 != 3) expected.push_back(key(i));
  }
  std::regex key_pattern(R"re("flag_key":"([^"]+)")re");
  for (int limit : {100, 7}) {
    std::vector<std::string> keys;
    std::string total = R"("total":)" + std::to_string(expected.size()) + "}";
    for (int page = 1; page <= kFlags; ++page) {
      HttpResult listed =
          Get(Base() + "?page=" + std::to_string(page) + "&limit=" + std::to_string(limit));
      ASSERT_EQ(listed.status, 200);
      EXPECT_NE(listed.body.find(total), std::string::npos) << listed.body;
      std::size_t before = keys.size();
      for (auto it = std::sregex_iterator(listed.body.begin(), listed.body.end(), key_pattern);
           it != std::sregex_iterator(); ++it) {
        keys.push_back((*it)[1]);
      }
      if (keys.size() == before) break;  // past the last page
    }
    EXPECT_EQ(keys, expected) << "limit " << limit;
  }
}

TEST_F(FlagsApi, ListOfAnOrganizationWithoutFlagsIsAnEmptyPage) {
  HttpResult listed = Get(Base());
  EXPECT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body, R"({"data":[],"pagination":{"page":1,"limit":20,"total":0}})");
}

TEST_F(FlagsApi, OrganizationsDoNotSeeEachOthersFlags) {
  Create(R"({"flag_key":"mine"})");
  HttpResult other = Get("/api/v1/organizations/" + Org() + "-other/feature-flags/mine");
  EXPECT_EQ(other.status, 404);
}

TEST_F(FlagsApi, PutReplacesPresentMembersAndKeepsAbsentOnes) {
  Create(kSeedCreate);
  HttpResult updated = Put(Base() + "/peer_review_module", R"({"enabled":true})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(MaskTimes(updated.body),
            R"({"flag_key":"peer_review_module","enabled":true,"organization_id":")" + Org() +
                R"(","rollout_condition":{"min_version":"3.1.0","activation_date":"<t>"},)"
                R"("created_at":"<t>","updated_at":"<t>"})");
  HttpResult replaced = Put(
      Base() + "/peer_review_module",
      R"({"rollout_condition":{"min_version":"2.4.0","activation_date":"2026-04-01T00:00:00Z"}})");
  ASSERT_EQ(replaced.status, 200);
  EXPECT_NE(replaced.body.find(R"("enabled":true,)"), std::string::npos);
  EXPECT_NE(
      replaced.body.find(
          R"("rollout_condition":{"min_version":"2.4.0","activation_date":"2026-04-01T00:00:00Z"})"),
      std::string::npos);
  HttpResult cleared = Put(Base() + "/peer_review_module", R"({"rollout_condition":null})");
  EXPECT_NE(cleared.body.find(R"("rollout_condition":null)"), std::string::npos);
  EXPECT_EQ(Get(Base() + "/peer_review_module").body, cleared.body);
}

TEST_F(FlagsApi, PutAcceptsAFetchedFlagSentBack) {
  Create(kSeedCreate);
  std::string fetched = Get(Base() + "/peer_review_module").body;
  std::string edited = fetched;
  edited.replace(edited.find("\"enabled\":false"), 15, "\"enabled\":true");
  HttpResult updated = Put(Base() + "/peer_review_module", edited);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_NE(updated.body.find("\"enabled\":true"), std::string::npos);
}

TEST_F(FlagsApi, PatchMergesTheRolloutCondition) {
  Create(kSeedCreate);
  HttpResult patched = Patch(Base() + "/peer_review_module/rollout", R"({"min_version":"2.8.0"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(
      MaskTimes(patched.body),
      R"({"flag_key":"peer_review_module","organization_id":")" + Org() +
          R"(","rollout_condition":{"min_version":"2.8.0","activation_date":"<t>"},"updated_at":"<t>"})");
  EXPECT_NE(patched.body.find("2026-06-01T00:00:00Z"), std::string::npos) << "absent member kept";
}

TEST_F(FlagsApi, PatchAcceptsMergePatchMediaType) {
  Create(kSeedCreate);
  HttpResult patched = Patch(Base() + "/peer_review_module/rollout", R"({"activation_date":null})",
                             {{"Content-Type", "application/merge-patch+json"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_NE(patched.body.find(R"({"min_version":"3.1.0","activation_date":null})"),
            std::string::npos);
}

TEST_F(FlagsApi, PatchThatNullsBothMembersLeavesNoCondition) {
  Create(kSeedCreate);
  HttpResult patched = Patch(Base() + "/peer_review_module/rollout",
                             R"({"min_version":null,"activation_date":null})");
  ASSERT_EQ(patched.status, 200);
  EXPECT_NE(patched.body.find(R"("rollout_condition":null)"), std::string::npos) << patched.body;
}

TEST_F(FlagsApi, PatchOnAFlagWithoutConditionCreatesOne) {
  Create(R"({"flag_key":"x"})");
  HttpResult patched = Patch(Base() + "/x/rollout", R"({"min_version":"1.0.0"})");
  EXPECT_NE(patched.body.find(R"({"min_version":"1.0.0","activation_date":null})"),
            std::string::npos);
}

TEST_F(FlagsApi, DeleteRemovesTheFlag) {
  Create(R"({"flag_key":"gone"})");
  Create(R"({"flag_key":"kept"})");
  HttpResult deleted = Delete(Base() + "/gone");
  ASSERT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.body, R"({"deleted":true,"flag_key":"gone"})");
  EXPECT_EQ(Get(Base() + "/gone").status, 404);
  HttpResult listed = Get(Base());
  EXPECT_EQ(listed.body.find("\"gone\""), std::string::npos);
  EXPECT_NE(listed.body.find(R"("total":1)"), std::string::npos);
}

TEST_F(FlagsApi, ADeletedKeyCanBeCreatedAgain) {
  Create(R"({"flag_key":"phoenix","enabled":true})");
  ASSERT_EQ(Delete(Base() + "/phoenix").status, 200);
  HttpResult again = Create(R"({"flag_key":"phoenix"})");
  EXPECT_NE(again.body.find("\"enabled\":false"), std::string::npos);
  EXPECT_EQ(Get(Base() + "/phoenix").status, 200);
}

TEST_F(FlagsApi, AWriteThatChangesNothingAppendsNothing) {
  HttpResult created = Create(kSeedCreate);
  std::uint64_t before = Sequence();
  HttpResult same = Put(Base() + "/peer_review_module", R"({"enabled":false})");
  EXPECT_EQ(same.status, 200);
  EXPECT_EQ(same.body, created.body) << "updated_at does not move";
  HttpResult same_patch =
      Patch(Base() + "/peer_review_module/rollout", R"({"min_version":"3.1.0"})");
  EXPECT_EQ(same_patch.status, 200);
  EXPECT_EQ(Sequence(), before);
}

TEST_F(FlagsApi, EveryWriteAppendsExactlyOneEvent) {
  std::uint64_t start = Sequence();
  Create(R"({"flag_key":"x"})");
  EXPECT_EQ(Sequence(), start + 1);
  Put(Base() + "/x", R"({"enabled":true})");
  EXPECT_EQ(Sequence(), start + 2);
  Patch(Base() + "/x/rollout", R"({"min_version":"1.0.0"})");
  EXPECT_EQ(Sequence(), start + 3);
  Delete(Base() + "/x");
  EXPECT_EQ(Sequence(), start + 4);
}

TEST_F(FlagsApi, HeadAnswersLikeGetWithoutABody) {
  HttpResult created = Create(R"({"flag_key":"x"})");
  HttpResult head = client_.Send("HEAD", Base() + "/x");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.Header("Content-Length"), std::to_string(created.body.size()));
}

TEST_F(FlagsApi, EveryResponseCarriesARequestId) {
  HttpResult generated = Get(Base());
  EXPECT_EQ(generated.Header("X-Request-Id").size(), 32u);
  HttpResult echoed = Get(Base(), {{"X-Request-Id", "trace-abc-123"}});
  EXPECT_EQ(echoed.Header("X-Request-Id"), "trace-abc-123");
  HttpResult too_long = Get(Base(), {{"X-Request-Id", std::string(129, 'a')}});
  EXPECT_EQ(too_long.Header("X-Request-Id").size(), 32u);
  HttpResult error = Get(Base() + "/missing", {{"X-Request-Id", "trace-err"}});
  EXPECT_EQ(error.Header("X-Request-Id"), "trace-err");
}

TEST_F(FlagsApi, EachRequestIsLoggedAsOneJsonLine) {
  Get(Base() + "?page=1", {{"X-Request-Id", "log-line-check"}});
  std::regex line(
      R"(\{"time":"[^"]+","level":"info","msg":"request","method":"GET","path":"/api/v1/organizations/org-EachRequestIsLoggedAsOneJsonLine/feature-flags","status":200,"duration_ms":[0-9.]+,"request_id":"log-line-check"\})");
  // The line is written once the response has been sent: wait for it.
  std::string log;
  for (int i = 0; i < 500 && !std::regex_search(log, line); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    log = server_->Log();
  }
  EXPECT_TRUE(std::regex_search(log, line))
      << log.substr(log.size() > 2000 ? log.size() - 2000 : 0);
}

TEST_F(FlagsApi, KeepAliveServesManyRequestsOnOneConnection) {
  HttpClient client(server_->port());
  for (int i = 0; i < 50; ++i) {
    HttpResult result = client.Send("GET", "/healthz");
    ASSERT_EQ(result.status, 200);
    EXPECT_NE(result.Header("Connection"), "close");
  }
}

TEST_F(FlagsApi, HealthAndReadinessAnswerSmallJson) {
  HttpResult health = Get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"ok"})");
  HttpResult ready = Get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, R"({"status":"ready"})");
  EXPECT_EQ(ready.Header("Content-Type"), "application/json");
}

}  // namespace
}  // namespace flagledger

// Audit history and point-in-time reads (docs/api.md, "History and point-in-time reads")
// against the real server.
#include <gtest/gtest.h>

#include "tests/testing/server_test.h"

namespace flagledger {
namespace {

class History : public ServerTest {
 protected:
  // The events of `body`'s "data" array, one JSON object each (events hold no nested arrays).
  static std::vector<std::string> Events(const std::string& body) {
    std::vector<std::string> events;
    std::size_t start = body.find("{\"sequence\":");
    while (start != std::string::npos) {
      std::size_t next = body.find(",{\"sequence\":", start);
      std::size_t end = next == std::string::npos ? body.rfind("],\"next_after\"") : next;
      events.push_back(body.substr(start, end - start));
      start = next == std::string::npos ? next : next + 1;
    }
    return events;
  }
  static std::string Member(const std::string& event, const std::string& name) {
    std::regex pattern("\"" + name + "\":(\"[^\"]*\"|[0-9]+|null)");
    std::smatch match;
    return std::regex_search(event, match, pattern) ? match[1].str() : "<absent>";
  }
  // Creates `key` and toggles it `updates` times: a stream of updates + 1 events.
  void CreateWithUpdates(const std::string& key, int updates) {
    Create(R"({"flag_key":")" + key + "\"}");
    for (int i = 0; i < updates; ++i) {
      Put(Base() + "/" + key, i % 2 ? R"({"enabled":false})" : R"({"enabled":true})");
    }
  }
  std::string HistoryOf(const std::string& key, const std::string& query = "") {
    HttpResult result = Get(Base() + "/" + key + "/history" + query);
    EXPECT_EQ(result.status, 200) << result.body;
    return result.body;
  }
};

TEST_F(History, EveryWriteRecordsOneCompleteEvent) {
  std::string flag = Base() + "/audited";
  ASSERT_EQ(Post(Base(), R"({"flag_key":"audited"})", {{"X-Request-Id", "req-create"}}).status,
            201);
  ASSERT_EQ(Put(flag, R"({"enabled":true})", {{"X-Request-Id", "req-put"}}).status, 200);
  ASSERT_EQ(Patch(flag + "/rollout", R"({"min_version":"2.0.0"})", {{"X-Request-Id", "req-patch"}})
                .status,
            200);
  ASSERT_EQ(Delete(flag, {{"X-Request-Id", "req-delete"}}).status, 200);

  auto events = Events(HistoryOf("audited"));
  ASSERT_EQ(events.size(), 4u);
  const char* types[] = {"flag.created", "flag.updated", "flag.rollout_updated", "flag.deleted"};
  const char* requests[] = {"req-create", "req-put", "req-patch", "req-delete"};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(Member(events[i], "type"), std::string("\"") + types[i] + "\"");
    EXPECT_EQ(Member(events[i], "version"), std::to_string(i + 1));
    EXPECT_EQ(Member(events[i], "request_id"), std::string("\"") + requests[i] + "\"");
    EXPECT_EQ(Member(events[i], "actor"), "\"anonymous\"");
    EXPECT_EQ(Member(events[i], "organization_id"), "\"" + Org() + "\"");
    EXPECT_TRUE(std::regex_search(
        events[i], std::regex(R"("recorded_at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")")))
        << events[i];
  }
  // Members in the contract's order.
  EXPECT_TRUE(std::regex_search(
      events[0],
      std::regex(
          R"re(^\{"sequence":\d+,"type":"flag.created","organization_id":"[^"]+","flag_key":"audited","version":1,"recorded_at":"[^"]+","actor":"anonymous","request_id":"req-create","changes":\{"enabled":\{"from":null,"to":false\},"rollout_condition":\{"from":null,"to":null\}\},"flag":\{"flag_key":"audited","enabled":false,)re")))
      << events[0];
  EXPECT_NE(events[1].find(R"("changes":{"enabled":{"from":false,"to":true}},"flag":{)"),
            std::string::npos)
      << events[1];
  EXPECT_NE(
      events[2].find(
          R"("changes":{"rollout_condition":{"from":null,"to":{"min_version":"2.0.0","activation_date":null}}})"),
      std::string::npos)
      << events[2];
  EXPECT_NE(events[3].find(R"("changes":{},"flag":null,"previous":{)"), std::string::npos)
      << events[3];
}

TEST_F(History, AReCreatedKeyKeepsItsWholeLifecycle) {
  Create(R"({"flag_key":"phoenix"})");
  Delete(Base() + "/phoenix");
  Create(R"({"flag_key":"phoenix","enabled":true})");
  auto events = Events(HistoryOf("phoenix"));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(Member(events[2], "type"), "\"flag.created\"");
  EXPECT_EQ(Member(events[2], "version"), "3");
}

TEST_F(History, AKeyWithoutEventsHasNoHistory) {
  ExpectProblem(Get(Base() + "/never/history"), 404, "flag_not_found");
}

TEST_F(History, PagesForwardWithAfterAndNextAfter) {
  CreateWithUpdates("paged", 4);
  std::string first = HistoryOf("paged", "?limit=2");
  auto page1 = Events(first);
  ASSERT_EQ(page1.size(), 2u);
  std::string next = Member(first, "next_after");
  EXPECT_EQ(next, Member(page1[1], "sequence"));
  auto page2 = Events(HistoryOf("paged", "?limit=2&after=" + next));
  ASSERT_EQ(page2.size(), 2u);
  EXPECT_EQ(Member(page2[0], "version"), "3");
  std::string third = HistoryOf("paged", "?limit=2&after=" + Member(page2[1], "sequence"));
  auto page3 = Events(third);
  ASSERT_EQ(page3.size(), 1u);
  std::string end = HistoryOf("paged", "?after=" + Member(page3[0], "sequence"));
  EXPECT_EQ(end, R"({"data":[],"next_after":null,"has_more":false})");
}

TEST_F(History, PagesBackwardWithOrderDescAndBefore) {
  CreateWithUpdates("backwards", 3);
  std::string newest = HistoryOf("backwards", "?order=desc&limit=3");
  auto page = Events(newest);
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(Member(page[0], "version"), "4");
  EXPECT_EQ(Member(page[2], "version"), "2");
  auto rest = Events(HistoryOf("backwards", "?order=desc&before=" + Member(newest, "next_after")));
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(Member(rest[0], "version"), "1");
}

TEST_F(History, OrganizationEventsHoldOnlyThatOrganization) {
  Create(R"({"flag_key":"a"})");
  Create(R"({"flag_key":"b"})");
  Post("/api/v1/organizations/" + Org() + "-neighbour/feature-flags", R"({"flag_key":"a"})");
  HttpResult result = Get("/api/v1/organizations/" + Org() + "/events");
  ASSERT_EQ(result.status, 200);
  auto events = Events(result.body);
  ASSERT_EQ(events.size(), 2u);
  for (const auto& event : events) EXPECT_EQ(Member(event, "organization_id"), "\"" + Org() + "\"");
  EXPECT_EQ(Get("/api/v1/organizations/" + Org() + "-nobody/events").body,
            R"({"data":[],"next_after":null,"has_more":false})");
}

TEST_F(History, TheWholeLogIsGaplessAndOrdered) {
  Create(R"({"flag_key":"x"})");
  Put(Base() + "/x", R"({"enabled":true})");
  std::uint64_t expected = 0;
  std::string previous_time;
  std::string after = "0";
  while (true) {
    HttpResult page = Get("/api/v1/events?limit=7&after=" + after);
    ASSERT_EQ(page.status, 200);
    auto events = Events(page.body);
    if (events.empty()) break;
    for (const auto& event : events) {
      EXPECT_EQ(Member(event, "sequence"), std::to_string(++expected));
      std::string time = Member(event, "recorded_at");
      EXPECT_LE(previous_time, time) << "recorded_at went back at " << expected;
      previous_time = time;
    }
    after = Member(page.body, "next_after");
  }
  EXPECT_EQ(expected, Sequence());
}

TEST_F(History, BadPagingIsInvalidQuery) {
  Create(R"({"flag_key":"x"})");
  std::uint64_t before = Sequence();
  for (std::string query :
       {"order=sideways", "limit=0", "limit=1001", "after=-1", "after=x", "before=0", "cursor=1"}) {
    ExpectProblem(Get(Base() + "/x/history?" + query), 400, "invalid_query");
    ExpectProblem(Get("/api/v1/events?" + query), 400, "invalid_query");
  }
  EXPECT_EQ(Sequence(), before);
}

TEST_F(History, HistoryRoutesAreReadOnly) {
  Create(R"({"flag_key":"x"})");
  ExpectProblem(Post(Base() + "/x/history", "{}"), 405, "method_not_allowed");
  ExpectProblem(Delete("/api/v1/events"), 405, "method_not_allowed");
  ExpectProblem(Get("/api/v1/organizations/-bad/events"), 400, "invalid_organization_id");
}

class PointInTime : public History {
 protected:
  std::string Sequences(const std::string& key, std::vector<std::string>& times) {
    auto events = Events(HistoryOf(key));
    std::string sequences;
    for (const auto& event : events) {
      sequences += Member(event, "sequence") + " ";
      std::string time = Member(event, "recorded_at");
      times.push_back(time.substr(1, time.size() - 2));
    }
    return sequences;
  }
  static std::vector<std::string> SequenceList(const std::string& key_events) {
    std::vector<std::string> out;
    std::stringstream in(key_events);
    for (std::string s; in >> s;) out.push_back(s);
    return out;
  }
};

TEST_F(PointInTime, AsOfEventAnswersEachStageOfALifecycle) {
  std::uint64_t before_creation = Sequence();
  Create(R"({"flag_key":"staged"})");
  Put(Base() + "/staged", R"({"enabled":true})");
  Delete(Base() + "/staged");
  std::vector<std::string> times;
  auto seq = SequenceList(Sequences("staged", times));
  ASSERT_EQ(seq.size(), 3u);

  HttpResult before = Get(Base() + "/staged?as_of_event=" + std::to_string(before_creation));
  ExpectProblem(before, 404, "flag_not_found");
  EXPECT_EQ(before.Header("Flagledger-Event-Sequence"), std::to_string(before_creation));

  HttpResult created = Get(Base() + "/staged?as_of_event=" + seq[0]);
  EXPECT_EQ(created.status, 200);
  EXPECT_NE(created.body.find("\"enabled\":false"), std::string::npos);
  EXPECT_EQ(created.Header("Flagledger-Event-Sequence"), seq[0]);

  HttpResult between =
      Get(Base() + "/staged?as_of_event=" + std::to_string(std::stoull(seq[2]) - 1));
  EXPECT_EQ(between.status, 200);
  EXPECT_NE(between.body.find("\"enabled\":true"), std::string::npos);

  HttpResult after_delete = Get(Base() + "/staged?as_of_event=" + seq[2]);
  ExpectProblem(after_delete, 404, "flag_not_found");
  EXPECT_EQ(after_delete.Header("Flagledger-Event-Sequence"), seq[2]);
}

TEST_F(PointInTime, AsOfTimeUsesRecordedAt) {
  Create(R"({"flag_key":"timed"})");
  Put(Base() + "/timed", R"({"enabled":true})");
  std::vector<std::string> times;
  auto seq = SequenceList(Sequences("timed", times));
  ASSERT_EQ(seq.size(), 2u);
  HttpResult at_update = Get(Base() + "/timed?as_of=" + times[1]);
  EXPECT_EQ(at_update.status, 200);
  EXPECT_NE(at_update.body.find("\"enabled\":true"), std::string::npos);
  HttpResult early = Get(Base() + "/timed?as_of=2000-01-01T00:00:00Z");
  ExpectProblem(early, 404, "flag_not_found");
  EXPECT_EQ(early.Header("Flagledger-Event-Sequence"), "0");
  HttpResult offset = Get(Base() + "/timed?as_of=2999-01-01T02:00:00%2B02:00");
  EXPECT_EQ(offset.status, 200);
  EXPECT_NE(offset.body.find("\"enabled\":true"), std::string::npos);
}

TEST_F(PointInTime, ListsAnOrganizationAsItWas) {
  Create(R"({"flag_key":"a"})");
  Create(R"({"flag_key":"b","enabled":true})");
  std::uint64_t both = Sequence();
  Delete(Base() + "/a");
  Create(R"({"flag_key":"c"})");
  HttpResult then = Get(Base() + "?as_of_event=" + std::to_string(both));
  ASSERT_EQ(then.status, 200);
  EXPECT_EQ(then.Header("Flagledger-Event-Sequence"), std::to_string(both));
  EXPECT_NE(then.body.find(R"({"flag_key":"a")"), std::string::npos);
  EXPECT_NE(then.body.find(R"({"flag_key":"b")"), std::string::npos);
  EXPECT_EQ(then.body.find(R"({"flag_key":"c")"), std::string::npos);
  EXPECT_NE(then.body.find(R"("pagination":{"page":1,"limit":20,"total":2})"), std::string::npos);
  HttpResult paged = Get(Base() + "?as_of_event=" + std::to_string(both) + "&limit=1&page=2");
  EXPECT_EQ(paged.body.find(R"({"flag_key":"a")"), std::string::npos);
  EXPECT_NE(paged.body.find(R"({"flag_key":"b")"), std::string::npos);
  HttpResult now = Get(Base());
  EXPECT_NE(now.body.find(R"("total":2)"), std::string::npos);
  EXPECT_EQ(now.body.find(R"({"flag_key":"a")"), std::string::npos);
}

TEST_F(PointInTime, TheCurrentReadCarriesTheNewestAppliedSequence) {
  Create(R"({"flag_key":"x"})");
  std::vector<std::string> times;
  auto seq = SequenceList(Sequences("x", times));
  HttpResult read = Get(Base() + "/x");
  EXPECT_GE(std::stoull(read.Header("Flagledger-Event-Sequence")), std::stoull(seq.back()));
  HttpResult missing = Get(Base() + "/missing");
  EXPECT_FALSE(missing.Header("Flagledger-Event-Sequence").empty());
}

TEST_F(PointInTime, BadOrConflictingParametersAreInvalidQuery) {
  Create(R"({"flag_key":"x"})");
  std::uint64_t before = Sequence();
  for (std::string query :
       {"as_of=2026-01-01T00:00:00Z&as_of_event=1", "as_of=yesterday", "as_of=2026-01-01T00:00:00",
        "as_of_event=-1", "as_of_event=abc", "as_of_event=99999999999", "as_of_event="}) {
    ExpectProblem(Get(Base() + "/x?" + query), 400, "invalid_query");
    ExpectProblem(Get(Base() + "?" + query), 400, "invalid_query");
  }
  EXPECT_EQ(Sequence(), before);
}

}  // namespace
}  // namespace flagledger

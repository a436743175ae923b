// Audit queries against the real server (docs/api.md, "Audit queries"): filtered history,
// exports, the diff between two moments, whole-organization evaluation and a flag's timeline.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

#include "tests/testing/server_test.h"

namespace flagledger {
namespace {

class AuditQueries : public ServerTest {
 protected:
  std::string Events() const { return "/api/v1/organizations/" + Org() + "/events"; }
  std::string OrgPath() const { return "/api/v1/organizations/" + Org(); }

  // The events of a page's "data" array, one JSON object each.
  static std::vector<std::string> DataOf(const std::string& body) {
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
  static std::uint64_t SequenceOf(const std::string& event) {
    return std::stoull(event.substr(std::string("{\"sequence\":").size()));
  }
  static std::string Member(const std::string& json, const std::string& name) {
    std::regex pattern("\"" + name + "\":(\"[^\"]*\"|[0-9]+|null|true|false)");
    std::smatch match;
    return std::regex_search(json, match, pattern) ? match[1].str() : "<absent>";
  }
  // The recorded_at of the organization's event with this sequence.
  std::string RecordedAt(std::uint64_t sequence) {
    HttpResult page = Get(Events() + "?after=" + std::to_string(sequence - 1) + "&limit=1");
    std::string time = Member(page.body, "recorded_at");
    return time.substr(1, time.size() - 2);
  }
  // Pages through `query` (JSON), checking each page's has_more; returns every event.
  std::vector<std::string> WalkAll(std::string target, bool descending = false) {
    std::vector<std::string> all;
    std::string cursor;
    for (int pages = 0; pages < 1000; ++pages) {
      HttpResult page = Get(target + cursor);
      EXPECT_EQ(page.status, 200) << page.body;
      auto events = DataOf(page.body);
      all.insert(all.end(), events.begin(), events.end());
      bool has_more = Member(page.body, "has_more") == "true";
      if (!has_more) {
        return all;
      }
      EXPECT_FALSE(events.empty()) << "has_more with an empty page";
      // The cursor replaces the bound it moves (a window may have set it).
      std::string bound = descending ? "before=" : "after=";
      std::string next = bound + Member(page.body, "next_after");
      std::regex existing("([?&])" + bound + "[0-9]+");
      if (std::regex_search(target, existing)) {
        target = std::regex_replace(target, existing, "$1" + next);
      } else {
        cursor = "&" + next;
      }
    }
    ADD_FAILURE() << "the walk did not end";
    return all;
  }
  std::string Ndjson(const std::vector<std::string>& events) {
    std::string out;
    for (const std::string& event : events) out += event + "\n";
    return out;
  }
};

TEST_F(AuditQueries, AFilteredWalkOfThousandsOfEventsPagesWithoutGapOrDuplicate) {
  for (const char* key : {"walk-a1", "walk-a2", "walk-b1"})
    Create(R"({"flag_key":")" + std::string(key) + "\"}");
  // 2,400 updates spread over the three keys: a2 gets every third.
  for (int i = 0; i < 2400; ++i) {
    const char* key = i % 3 == 0 ? "walk-a2" : i % 3 == 1 ? "walk-a1" : "walk-b1";
    ASSERT_EQ(
        Put(Base() + "/" + key, i / 3 % 2 ? R"({"enabled":false})" : R"({"enabled":true})").status,
        200);
  }
  std::string target = Events() + "?flag_key_prefix=walk-a&type=flag.updated&limit=97";
  auto forward = WalkAll(target);
  ASSERT_EQ(forward.size(), 1600u);
  std::set<std::uint64_t> seen;
  std::uint64_t previous = 0;
  for (const std::string& event : forward) {
    std::uint64_t sequence = SequenceOf(event);
    EXPECT_GT(sequence, previous) << "ascending, no duplicate";
    previous = sequence;
    seen.insert(sequence);
    EXPECT_EQ(Member(event, "type"), "\"flag.updated\"");
    EXPECT_EQ(Member(event, "flag_key").substr(0, 7), "\"walk-a");
  }
  EXPECT_EQ(seen.size(), 1600u);
  // Every matching event of the organization's unfiltered history is in the walk (no gap).
  auto everything = WalkAll(Events() + "?limit=1000");
  std::size_t expected = 0;
  for (const std::string& event : everything) {
    if (Member(event, "type") == "\"flag.updated\"" &&
        Member(event, "flag_key").starts_with("\"walk-a")) {
      ++expected;
      EXPECT_TRUE(seen.count(SequenceOf(event))) << event;
    }
  }
  EXPECT_EQ(expected, 1600u);

  auto backward = WalkAll(target + "&order=desc", /*descending=*/true);
  ASSERT_EQ(backward.size(), forward.size());
  EXPECT_TRUE(std::equal(backward.rbegin(), backward.rend(), forward.begin()));

  // An exact key is its stream; the exact and the prefix walk agree on it.
  auto a2 = WalkAll(Events() + "?flag_key=walk-a2&type=flag.updated&limit=1000");
  EXPECT_EQ(a2.size(), 800u);
  auto a2_history = WalkAll(Base() + "/walk-a2/history?type=flag.updated&limit=1000");
  EXPECT_EQ(a2_history, a2);
}

TEST_F(AuditQueries, ExportsMatchThePagedJsonByteForByte) {
  Create(R"({"flag_key":"exported","rollout_condition":{"min_version":"2.0.0"}})");
  for (int i = 0; i < 1200; ++i) {
    ASSERT_EQ(
        Put(Base() + "/exported", i % 2 ? R"({"enabled":false})" : R"({"enabled":true})").status,
        200);
  }
  ASSERT_EQ(Delete(Base() + "/exported").status, 200);
  auto paged = WalkAll(Events() + "?limit=1000");
  ASSERT_EQ(paged.size(), 1202u);

  HttpResult ndjson = Get(Events(), {{"Accept", "application/x-ndjson"}});
  ASSERT_EQ(ndjson.status, 200);
  EXPECT_EQ(ndjson.Header("Content-Type"), "application/x-ndjson");
  EXPECT_EQ(ndjson.Header("Transfer-Encoding"), "chunked");
  EXPECT_TRUE(ndjson.body == Ndjson(paged)) << "the export is the pages' events, one per line";

  // Filtered, windowed and newest first, the export still equals the paged walk.
  std::string window = "?type=flag.updated&after=" + std::to_string(SequenceOf(paged[10])) +
                       "&before=" + std::to_string(SequenceOf(paged[1100])) + "&order=desc";
  HttpResult filtered = Get(Events() + window, {{"Accept", "application/x-ndjson"}});
  EXPECT_TRUE(filtered.body == Ndjson(WalkAll(Events() + window + "&limit=100", true)));
  std::string ascending = "?type=flag.updated&after=" + std::to_string(SequenceOf(paged[10])) +
                          "&before=" + std::to_string(SequenceOf(paged[1100]));
  EXPECT_TRUE(Get(Events() + ascending, {{"Accept", "application/x-ndjson"}}).body ==
              Ndjson(WalkAll(Events() + ascending + "&limit=100")));
  HttpResult capped = Get(Events() + window + "&limit=5", {{"Accept", "application/x-ndjson"}});
  EXPECT_EQ(std::count(capped.body.begin(), capped.body.end(), '\n'), 5);

  HttpResult csv = Get(Events(), {{"Accept", "text/csv"}});
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.Header("Content-Type"), "text/csv; charset=utf-8; header=present");
  std::istringstream lines(csv.body);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line,
            "sequence,recorded_at,type,organization_id,flag_key,version,actor,request_id,member,"
            "from,to,reason,reverted_to,restore_id,hash\r");
  std::size_t rows = 0;
  std::string last;
  while (std::getline(lines, line)) {
    ++rows;
    last = line;
  }
  // created: 2 rows, each update 1 row, the delete 2 rows (from the flag it deleted).
  EXPECT_EQ(rows, 2u + 1200u + 2u);
  EXPECT_NE(last.find(",flag.deleted,"), std::string::npos) << last;
  EXPECT_NE(
      last.find(
          R"(,rollout_condition,"{""min_version"":""2.0.0"",""activation_date"":null}",null,,)"),
      std::string::npos)
      << last;
  EXPECT_NE(csv.body.find(",flag.updated," + Org() + ",exported,2,anonymous,"), std::string::npos);
  EXPECT_NE(csv.body.find(",enabled,false,true,,"), std::string::npos) << "no reason given";
  EXPECT_TRUE(std::regex_search(csv.body, std::regex(",[0-9a-f]{64}\r\n")))
      << "every row ends with its event's hash";

  // Accept decides: JSON when JSON comes first or the others are refused (q=0).
  EXPECT_EQ(Get(Events() + "?limit=1", {{"Accept", "text/csv;q=0, application/json"}})
                .Header("Content-Type"),
            "application/json");
  EXPECT_EQ(
      Get(Events() + "?limit=1", {{"Accept", "application/json, text/csv"}}).Header("Content-Type"),
      "application/json");
  // The whole log and a flag's history export too.
  HttpResult flag_export =
      Get(Base() + "/exported/history?type=flag.deleted", {{"Accept", "application/x-ndjson"}});
  EXPECT_EQ(flag_export.body, paged.back() + "\n");
  HttpResult log_export =
      Get("/api/v1/events?after=" + std::to_string(SequenceOf(paged[0]) - 1) + "&limit=3",
          {{"Accept", "application/x-ndjson"}});
  EXPECT_EQ(log_export.body.substr(0, paged[0].size()), paged[0]);
}

TEST_F(AuditQueries, TimeRangesResolveThroughTheTimeIndex) {
  Create(R"({"flag_key":"timed"})");
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    ASSERT_EQ(Put(Base() + "/timed", i % 2 ? R"({"enabled":false})" : R"({"enabled":true})").status,
              200);
  }
  auto all = DataOf(Get(Events()).body);
  ASSERT_EQ(all.size(), 6u);
  std::string t2 = Member(all[2], "recorded_at"), t4 = Member(all[4], "recorded_at");
  t2 = t2.substr(1, t2.size() - 2);
  t4 = t4.substr(1, t4.size() - 2);
  // from inclusive, to exclusive.
  auto window = DataOf(Get(Events() + "?from=" + t2 + "&to=" + t4).body);
  ASSERT_EQ(window.size(), 2u);
  EXPECT_EQ(window[0], all[2]);
  EXPECT_EQ(window[1], all[3]);
  EXPECT_EQ(DataOf(Get(Events() + "?from=" + t2 + "&to=" + t2).body).size(), 0u);
  // Combined with a sequence window, the narrower bound wins.
  auto both =
      DataOf(Get(Events() + "?from=" + t2 + "&after=" + std::to_string(SequenceOf(all[2]))).body);
  ASSERT_EQ(both.size(), 3u);
  EXPECT_EQ(both[0], all[3]);
  // A date alone is its midnight UTC; the whole history lies after 2000-01-01.
  EXPECT_EQ(DataOf(Get(Events() + "?from=2000-01-01").body).size(), 6u);
  EXPECT_EQ(DataOf(Get(Events() + "?to=2000-01-01").body).size(), 0u);
  // An offset sent as %2B works; its '+' sent raw (a space) gets a hint.
  std::string offset_time = "2000-01-01T01:00:00%2B01:00";
  EXPECT_EQ(DataOf(Get(Events() + "?from=" + offset_time).body).size(), 6u);
  HttpResult raw_plus = Get(Events() + "?from=2000-01-01T01:00:00+01:00");
  ExpectProblem(raw_plus, 400, "invalid_query");
  EXPECT_NE(raw_plus.body.find("%2B"), std::string::npos) << raw_plus.body;
  HttpResult zoneless = Get(Events() + "?from=2026-12-01T14:00:00");
  ExpectProblem(zoneless, 400, "invalid_query");
  EXPECT_NE(zoneless.body.find("needs Z or an offset"), std::string::npos) << zoneless.body;
  // The friendlier input holds for the older time parameters too.
  EXPECT_EQ(Get(Base() + "?as_of=2000-01-01").status, 200);
}

TEST_F(AuditQueries, ADeleteShowsTheFlagItDeleted) {
  Create(R"({"flag_key":"gone","enabled":true,"rollout_condition":{"min_version":"1.2.3"}})");
  ASSERT_EQ(Delete(Base() + "/gone").status, 200);
  auto events = DataOf(Get(Base() + "/gone/history").body);
  ASSERT_EQ(events.size(), 2u);
  std::size_t flag_at = events[0].find("\"flag\":") + 7;
  std::string flag_before =
      events[0].substr(flag_at, events[0].find(",\"previous_hash\":") - flag_at);
  EXPECT_NE(events[1].find("\"flag\":null,\"previous\":" + flag_before + ",\"previous_hash\":"),
            std::string::npos)
      << events[1];
}

TEST_F(AuditQueries, TheDiffListsWhatDifferedAndWhy) {
  Create(R"({"flag_key":"kept"})");
  Create(R"({"flag_key":"toggled"})");
  Create(R"({"flag_key":"removed","enabled":true})");
  Create(R"({"flag_key":"flapped"})");
  Create(R"({"flag_key":"reborn"})");
  std::uint64_t start = Sequence();
  ASSERT_EQ(
      Put(Base() + "/toggled", R"({"enabled":true})", {{"X-Request-Id", "req-toggle"}}).status,
      200);
  ASSERT_EQ(Delete(Base() + "/removed").status, 200);
  ASSERT_EQ(Put(Base() + "/flapped", R"({"enabled":true})").status, 200);
  ASSERT_EQ(Put(Base() + "/flapped", R"({"enabled":false})").status, 200);
  ASSERT_EQ(Delete(Base() + "/reborn").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // created_at has seconds
  Create(R"({"flag_key":"reborn"})");
  Create(R"({"flag_key":"added"})");
  std::uint64_t end = Sequence();

  HttpResult diff = Get(OrgPath() + "/diff?from_event=" + std::to_string(start));
  ASSERT_EQ(diff.status, 200) << diff.body;
  EXPECT_EQ(diff.Header("Flagledger-Event-Sequence"), std::to_string(end));
  const std::string& body = diff.body;
  for (const char* absent : {"\"kept\"", "\"flapped\""}) {
    EXPECT_EQ(body.find(std::string("\"flag_key\":") + absent + ",\"change\""), std::string::npos)
        << absent << " is the same at both ends";
  }
  EXPECT_NE(body.find(R"({"flag_key":"added","change":"created","from":null,"to":{)"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find(R"({"flag_key":"reborn","change":"recreated",)"), std::string::npos);
  EXPECT_NE(
      body.find(
          R"({"flag_key":"removed","change":"deleted","from":{"flag_key":"removed","enabled":true)"),
      std::string::npos);
  std::size_t toggled = body.find(R"({"flag_key":"toggled","change":"updated")");
  ASSERT_NE(toggled, std::string::npos);
  EXPECT_NE(body.find(R"("type":"flag.updated","actor":"anonymous","recorded_at":")", toggled),
            std::string::npos);
  EXPECT_NE(body.find(R"("request_id":"req-toggle"})", toggled), std::string::npos);
  EXPECT_NE(body.find(R"("next_after_key":"toggled","has_more":false})"), std::string::npos);
  EXPECT_NE(body.find("\"from\":{\"event_sequence\":" + std::to_string(start) + ",\"at\":null}"),
            std::string::npos);

  // Paged by key: two at a time, with has_more and after_key.
  std::string keys;
  std::string after;
  for (int page = 0; page < 5; ++page) {
    HttpResult part = Get(OrgPath() + "/diff?limit=2&from_event=" + std::to_string(start) +
                          "&to_event=" + std::to_string(end) + after);
    ASSERT_EQ(part.status, 200) << part.body;
    std::regex key(R"re(\{"flag_key":"([a-z]+)","change")re");
    for (std::sregex_iterator it(part.body.begin(), part.body.end(), key), none; it != none; ++it) {
      keys += (*it)[1].str() + " ";
    }
    if (Member(part.body, "has_more") != "true") break;
    std::string next = Member(part.body, "next_after_key");
    after = "&after_key=" + next.substr(1, next.size() - 1 - 1);
  }
  EXPECT_EQ(keys, "added reborn removed toggled ");

  // By time: the same answer as by event.
  std::string start_time = RecordedAt(start);
  HttpResult by_time = Get(OrgPath() + "/diff?from=" + start_time);
  EXPECT_EQ(by_time.body.substr(by_time.body.find("\"data\"")), body.substr(body.find("\"data\"")));
  // Nothing differs from a point to itself.
  EXPECT_NE(Get(OrgPath() + "/diff?from_event=" + std::to_string(end) +
                "&to_event=" + std::to_string(end))
                .body.find("\"data\":[],\"next_after_key\":null,\"has_more\":false"),
            std::string::npos);
}

TEST_F(AuditQueries, TheWholeOrganizationEvaluatesAtAPastMoment) {
  Create(R"({"flag_key":"plain","enabled":true})");
  Create(R"({"flag_key":"gated","enabled":true,"rollout_condition":{"min_version":"3.0.0"}})");
  Create(R"({"flag_key":"later","enabled":false})");
  std::uint64_t before_change = Sequence();
  std::string moment = RecordedAt(before_change);
  ASSERT_EQ(Put(Base() + "/later", R"({"enabled":true})").status, 200);
  ASSERT_EQ(Delete(Base() + "/plain").status, 200);

  HttpResult past = Get(OrgPath() + "/evaluation?version=3.1.0&at=" + moment);
  ASSERT_EQ(past.status, 200) << past.body;
  EXPECT_EQ(past.Header("Flagledger-Event-Sequence"), std::to_string(before_change));
  EXPECT_NE(
      past.body.find(
          R"("data":[{"flag_key":"gated","value":true,"reason":"TARGETING_MATCH","flag_version":1},)"
          R"({"flag_key":"later","value":false,"reason":"DISABLED","flag_version":1},)"
          R"({"flag_key":"plain","value":true,"reason":"STATIC","flag_version":1}],)"
          R"("pagination":{"page":1,"limit":100,"total":3}})"),
      std::string::npos)
      << past.body;
  HttpResult old_client = Get(OrgPath() + "/evaluation?version=2.9.9&at=" + moment);
  EXPECT_NE(
      old_client.body.find(R"({"flag_key":"gated","value":false,"reason":"VERSION_BELOW_MINIMUM")"),
      std::string::npos);
  HttpResult now = Get(OrgPath() + "/evaluation?version=3.1.0&limit=1&page=2");
  ASSERT_EQ(now.status, 200);
  EXPECT_NE(
      now.body.find(
          R"("data":[{"flag_key":"later","value":true,"reason":"STATIC","flag_version":2}],"pagination":{"page":2,"limit":1,"total":2}})"),
      std::string::npos)
      << now.body;
  // Agrees with the single-flag time-travel evaluation.
  HttpResult single = Get(Base() + "/gated/evaluation?version=3.1.0&at=" + moment);
  EXPECT_NE(single.body.find(R"("value":true,"reason":"TARGETING_MATCH")"), std::string::npos);
}

TEST_F(AuditQueries, ATimelineSaysWhenAFlagWasOnForAVersion) {
  // Off, then on for >= 2.0.0 from an activation date in the past, then off again.
  Create(R"({"flag_key":"timeline"})");
  std::uint64_t created = Sequence();
  ASSERT_EQ(
      Put(Base() + "/timeline",
          R"({"enabled":true,"rollout_condition":{"min_version":"2.0.0","activation_date":"2000-01-01T00:00:00Z"}})")
          .status,
      200);
  std::uint64_t on = Sequence();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(Put(Base() + "/timeline", R"({"enabled":false})").status, 200);
  std::uint64_t off = Sequence();
  std::string t_created = RecordedAt(created), t_on = RecordedAt(on), t_off = RecordedAt(off);

  HttpResult timeline =
      Get(Base() + "/timeline/evaluation/timeline?version=2.1.0&from=2000-01-01&to=2100-01-01");
  ASSERT_EQ(timeline.status, 200) << timeline.body;
  EXPECT_NE(
      timeline.body.find(R"("intervals":[{"from":")" + t_on + R"(","to":")" + t_off + R"("}])"),
      std::string::npos)
      << timeline.body;
  // Too old a client: never on. A span starting while it was on starts on.
  EXPECT_NE(Get(Base() + "/timeline/evaluation/timeline?version=1.9.0&from=2000-01-01")
                .body.find(R"("intervals":[])"),
            std::string::npos);
  HttpResult inside =
      Get(Base() + "/timeline/evaluation/timeline?version=2.1.0&from=" + t_on + "&to=" + t_off);
  EXPECT_NE(inside.body.find(R"("intervals":[{"from":")" + t_on + R"(","to":")" + t_off + "\"}]"),
            std::string::npos)
      << inside.body;
  // An activation date in the span starts the interval there, not at the event.
  Create(
      R"({"flag_key":"launch","enabled":true,"rollout_condition":{"activation_date":"2099-06-01T00:00:00Z"}})");
  EXPECT_NE(
      Get(Base() + "/launch/evaluation/timeline?version=1.0.0&from=2026-01-01&to=2100-01-01")
          .body.find(
              R"("intervals":[{"from":"2099-06-01T00:00:00.000000Z","to":"2100-01-01T00:00:00.000000Z"}])"),
      std::string::npos);
  ExpectProblem(Get(Base() + "/never/evaluation/timeline?version=1.0.0&from=2026-01-01"), 404,
                "flag_not_found");
}

// Every malformed or contradictory parameter is 400 invalid_query naming it, and appends
// nothing.
TEST_F(AuditQueries, BadParametersAreRefusedAndAppendNothing) {
  Create(R"({"flag_key":"target"})");
  std::uint64_t before = Sequence();
  const std::string org = OrgPath();
  const std::pair<std::string, std::string> refused[] = {
      {Events() + "?from=yesterday", "'from'"},
      {Events() + "?to=2026-13-01", "'to'"},
      {Events() + "?from=2026-12-02&to=2026-12-01", "'from'"},
      {Events() + "?type=flag.exploded", "'type'"},
      {Events() + "?type=flag.created,", "'type'"},
      {Events() + "?type=token.created", "'type'"},
      {Events() + "?type=flag.created&type=flag.deleted", "'type'"},
      {Events() + "?actor=", "'actor'"},
      {Events() + "?actor=" + std::string(1025, 'a'), "'actor'"},
      {Events() + "?flag_key=bad%20key", "'flag_key'"},
      {Events() + "?flag_key_prefix=-x", "'flag_key_prefix'"},
      {Events() + "?flag_key=a&flag_key_prefix=a", "flag_key_prefix"},
      {Events() + "?limit=1001", "'limit'"},
      {Events() + "?since=2026-12-01", "'since'"},
      {Base() + "/target/history?flag_key=target", "'flag_key'"},
      {"/api/v1/events?flag_key_prefix=a", "'flag_key_prefix'"},
      {org + "/diff", "from or from_event is required"},
      {org + "/diff?from=2026-12-01&from_event=1", "from_event"},
      {org + "/diff?from_event=" + std::to_string(before + 100), "'from_event'"},
      {org + "/diff?from_event=1&to_event=0", "after the 'to' point"},
      {org + "/diff?from=2026-12-02&to=2026-12-01", "'from' is after 'to'"},
      {org + "/diff?from_event=1&limit=0", "'limit'"},
      {org + "/diff?from_event=1&after_key=%2F", "'after_key'"},
      {org + "/diff?from_event=1&as_of=2026-12-01", "'as_of'"},
      {org + "/evaluation", "version is required"},
      {org + "/evaluation?version=1.0", "'version'"},
      {org + "/evaluation?version=1.0.0&at=noon", "'at'"},
      {org + "/evaluation?version=1.0.0&limit=1001", "'limit'"},
      {org + "/evaluation?version=1.0.0&page=0", "'page'"},
      {Base() + "/target/evaluation/timeline?version=1.0.0", "from is required"},
      {Base() + "/target/evaluation/timeline?from=2026-12-01", "version is required"},
      {Base() + "/target/evaluation/timeline?version=1.0.0&from=2026-12-02&to=2026-12-01",
       "'from'"},
      {Base() + "/target/evaluation/timeline?version=1.0.0&from=2026-12-01&at=x", "'at'"},
  };
  for (const auto& [target, named] : refused) {
    for (const char* accept : {"application/json", "application/x-ndjson"}) {
      if (target.find("limit=1001") != std::string::npos && accept[0] == 'a' &&
          std::string(accept) != "application/json") {
        continue;  // an export is as long as asked
      }
      HttpResult result = Get(target, {{"Accept", accept}});
      ExpectProblem(result, 400, "invalid_query");
      EXPECT_NE(result.body.find(named), std::string::npos) << target << ": " << result.body;
    }
  }
  EXPECT_EQ(Sequence(), before) << "a refused query appended an event";
  // Wrong paths and methods.
  EXPECT_EQ(Get(org + "/diff/extra").status, 404);
  EXPECT_EQ(Post(org + "/diff", "{}").status, 405);
  EXPECT_EQ(Get(Base() + "/target/evaluation/other").status, 404);
}

TEST_F(AuditQueries, TheHistoryCommandFiltersAndExportsLikeTheApi) {
  Create(R"({"flag_key":"cli-a"})");
  Create(R"({"flag_key":"cli-b"})");
  ASSERT_EQ(Put(Base() + "/cli-a", R"({"enabled":true})").status, 200);
  ASSERT_EQ(Delete(Base() + "/cli-b").status, 200);
  std::string data_dir = server_->data_dir();
  CommandResult ndjson = RunFlagledger("history --data-dir " + data_dir + " --org " + Org() +
                                       " --type flag.updated,flag.deleted --format ndjson");
  ASSERT_EQ(ndjson.exit_code, 0) << ndjson.out;
  HttpResult api =
      Get(Events() + "?type=flag.updated,flag.deleted", {{"Accept", "application/x-ndjson"}});
  EXPECT_EQ(ndjson.out, api.body);
  CommandResult csv = RunFlagledger("history --data-dir " + data_dir + " --org " + Org() +
                                    " --flag-key-prefix cli- --format csv");
  EXPECT_EQ(csv.out, Get(Events() + "?flag_key_prefix=cli-", {{"Accept", "text/csv"}}).body);
  CommandResult table =
      RunFlagledger("history --data-dir " + data_dir + " --org " + Org() + " --flag cli-b");
  EXPECT_NE(table.out.find("deleted: {\"flag_key\":\"cli-b\""), std::string::npos) << table.out;
  CommandResult diff =
      RunFlagledger("diff --data-dir " + data_dir + " --org " + Org() + " --from-event 0");
  ASSERT_EQ(diff.exit_code, 0) << diff.out;
  EXPECT_EQ(diff.out, Get(OrgPath() + "/diff?from_event=0").body + "\n");
  EXPECT_EQ(RunFlagledger("diff --data-dir " + data_dir + " --org " + Org()).exit_code, 2);
  EXPECT_EQ(RunFlagledger("history --data-dir " + data_dir + " --from nope").exit_code, 2);
}

}  // namespace
}  // namespace flagledger

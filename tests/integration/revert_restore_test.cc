// Revert and restore (docs/api.md, "Revert and restore") against the real binary: a flag or a
// whole organization put back as it was at an earlier event or time, recorded as
// flag.reverted events; bad points are refused and append nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/testing/server_test.h"

namespace flagledger {
namespace {

class RevertRestore : public ServerTest {
 protected:
  std::string Revert(const std::string& key) { return Base() + "/" + key + "/revert"; }
  std::string Restore() { return "/api/v1/organizations/" + Org() + "/restore"; }
  std::string OrgEvents(const std::string& query = "") {
    return Get("/api/v1/organizations/" + Org() + "/events?limit=1000" + query).body;
  }
  // The sequence of the newest event of this test's organization.
  std::uint64_t NewestSequence() {
    std::string page = Get("/api/v1/organizations/" + Org() + "/events?order=desc&limit=1").body;
    return std::stoull(page.substr(page.find("{\"sequence\":") + 12));
  }
  // The flag's current JSON without updated_at (a revert changes it), or "404".
  std::string StateOf(const std::string& key, const std::string& query = "") {
    HttpResult flag = Get(Base() + "/" + key + query);
    if (flag.status == 404) return "404";
    static const std::regex kUpdatedAt(R"(,"updated_at":"[^"]*")");
    return std::regex_replace(flag.body, kUpdatedAt, "");
  }
  static std::size_t Count(const std::string& text, const std::string& what) {
    std::size_t count = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
      ++count;
    }
    return count;
  }
};

TEST_F(RevertRestore, ARevertPutsTheFlagBackAndSaysSoInItsEvent) {
  Create(R"({"flag_key":"checkout","enabled":false})");
  const std::uint64_t created = NewestSequence();
  const std::string then = StateOf("checkout");
  ASSERT_EQ(
      Put(Base() + "/checkout", R"({"enabled":true,"rollout_condition":{"min_version":"2.0.0"}})")
          .status,
      200);
  ASSERT_EQ(Put(Base() + "/checkout", R"({"enabled":true})").status, 200);

  HttpResult reverted = Post(Revert("checkout"), "{\"to_event\":" + std::to_string(created) + "}",
                             {{"Flagledger-Change-Reason", "INC-88: back to launch state"}});
  ASSERT_EQ(reverted.status, 200) << reverted.body;
  const std::uint64_t revert = NewestSequence();
  EXPECT_EQ(reverted.Header("ETag"), "\"3\"");
  EXPECT_EQ(MaskTimes(reverted.body),
            R"({"flag_key":"checkout","reverted_to":{"to_event":)" + std::to_string(created) +
                R"(,"as_of":null},"change":"updated","event_sequence":)" + std::to_string(revert) +
                R"(,"flag":{"flag_key":"checkout","enabled":false,"organization_id":")" + Org() +
                R"(","rollout_condition":null,"created_at":"<t>","updated_at":"<t>"}})");
  EXPECT_EQ(StateOf("checkout"), then);

  std::string history = Get(Base() + "/checkout/history?type=flag.reverted").body;
  EXPECT_EQ(Count(history, "\"type\":\"flag.reverted\""), 1u) << history;
  EXPECT_NE(history.find(R"("version":3,)"), std::string::npos) << history;
  EXPECT_NE(history.find(R"("changes":{"enabled":{"from":true,"to":false},)"
                         R"("rollout_condition":{"from":{"min_version":"2.0.0",)"
                         R"("activation_date":null},"to":null}})"),
            std::string::npos)
      << history;
  EXPECT_NE(history.find(R"("reverted_to":{"to_event":)" + std::to_string(created) +
                         R"(,"as_of":null},"reason":)"),
            std::string::npos)
      << "the point, then the optional members: " << history;
  EXPECT_NE(history.find(R"("reason":"INC-88: back to launch state")"), std::string::npos);
  HttpResult csv = Get(Base() + "/checkout/history?type=flag.reverted", {{"Accept", "text/csv"}});
  EXPECT_NE(csv.body.find(",enabled,true,false,INC-88: back to launch state," +
                          std::to_string(created) + ",,"),
            std::string::npos)
      << csv.body;
}

TEST_F(RevertRestore, ARevertByTimeRecordsTheTimeAndTheEventItResolvedTo) {
  Create(R"({"flag_key":"beta","enabled":true})");
  const std::uint64_t created = NewestSequence();
  // The create's own time: as_of is inclusive, so it names the create.
  std::string page = Get(Base() + "/beta/history").body;
  std::size_t at = page.find("\"recorded_at\":\"") + 15;
  const std::string moment = page.substr(at, page.find('"', at) - at);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(Put(Base() + "/beta", R"({"enabled":false})").status, 200);
  HttpResult reverted = Post(Revert("beta"), R"({"as_of":")" + moment + R"("})");
  ASSERT_EQ(reverted.status, 200) << reverted.body;
  EXPECT_NE(reverted.body.find(R"("reverted_to":{"to_event":)" + std::to_string(created) +
                               R"(,"as_of":")" + moment + "\"}"),
            std::string::npos)
      << reverted.body;
  EXPECT_NE(reverted.body.find(R"("enabled":true)"), std::string::npos);
}

TEST_F(RevertRestore, ARevertToBeforeTheFlagExistedDeletesItAndBackRecreatesIt) {
  Create(R"({"flag_key":"early"})");
  const std::uint64_t before = NewestSequence();
  Create(R"({"flag_key":"late","enabled":true,"rollout_condition":{"min_version":"1.2.3"}})");
  const std::uint64_t late_created = NewestSequence();
  const std::string original = StateOf("late");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a later created_at second

  HttpResult deleted = Post(Revert("late"), "{\"to_event\":" + std::to_string(before) + "}");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_NE(deleted.body.find(R"("change":"deleted")"), std::string::npos) << deleted.body;
  EXPECT_NE(deleted.body.find(R"("flag":null})"), std::string::npos) << deleted.body;
  EXPECT_FALSE(deleted.HasHeader("ETag"));
  EXPECT_EQ(StateOf("late"), "404");
  std::string history = Get(Base() + "/late/history").body;
  EXPECT_NE(history.find(R"("changes":{},"flag":null,"previous":{"flag_key":"late")"),
            std::string::npos)
      << history;

  HttpResult back = Post(Revert("late"), "{\"to_event\":" + std::to_string(late_created) + "}");
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_NE(back.body.find(R"("change":"created")"), std::string::npos) << back.body;
  EXPECT_EQ(back.Header("ETag"), "\"3\"") << "the key's stream goes on: created, reverted x2";
  EXPECT_EQ(StateOf("late"), original) << "created_at is the original one";
  history = Get(Base() + "/late/history").body;
  EXPECT_EQ(Count(history, "\"sequence\""), 3u) << "the whole history stays: " << history;
}

TEST_F(RevertRestore, ARevertThatChangesNothingAppendsNothing) {
  Create(R"({"flag_key":"same","enabled":true})");
  const std::uint64_t created = NewestSequence();
  ASSERT_EQ(Put(Base() + "/same", R"({"enabled":false})").status, 200);
  ASSERT_EQ(Put(Base() + "/same", R"({"enabled":true})").status, 200);
  const std::size_t events = Events();
  HttpResult unchanged = Post(Revert("same"), "{\"to_event\":" + std::to_string(created) + "}");
  ASSERT_EQ(unchanged.status, 200) << unchanged.body;
  EXPECT_NE(unchanged.body.find(R"("change":"unchanged","event_sequence":null,"flag":{)"),
            std::string::npos)
      << unchanged.body;
  EXPECT_EQ(unchanged.Header("ETag"), "\"3\"");
  EXPECT_EQ(Events(), events);
}

TEST_F(RevertRestore, IfMatchAndIdempotencyKeyApplyToARevert) {
  Create(R"({"flag_key":"guarded"})");
  const std::string point = "{\"to_event\":" + std::to_string(NewestSequence()) + "}";
  ASSERT_EQ(Put(Base() + "/guarded", R"({"enabled":true})").status, 200);
  const std::size_t events = Events();
  ExpectProblem(Post(Revert("guarded"), point, {{"If-Match", "\"1\""}}), 412,
                "precondition_failed");
  EXPECT_EQ(Events(), events);
  HttpResult first =
      Post(Revert("guarded"), point, {{"If-Match", "\"2\""}, {"Idempotency-Key", "r-1"}});
  ASSERT_EQ(first.status, 200) << first.body;
  HttpResult retry =
      Post(Revert("guarded"), point, {{"If-Match", "\"2\""}, {"Idempotency-Key", "r-1"}});
  EXPECT_EQ(retry.status, 200);
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(retry.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(Events(), events + 1);
}

TEST_F(RevertRestore, BadRevertsAreRefusedAndAppendNothing) {
  Create(R"({"flag_key":"target"})");
  const std::uint64_t mine = NewestSequence();
  ASSERT_EQ(Post("/api/v1/organizations/other-" + Org().substr(4) + "/feature-flags",
                 R"({"flag_key":"target"})")
                .status,
            201);
  const std::uint64_t theirs = Sequence();
  const std::size_t events = Events();
  struct Case {
    std::string path;
    std::string body;
    HeaderList headers;
    int status;
    std::string code;
  };
  const std::string future = std::to_string(theirs + 1000);
  for (const Case& bad : std::vector<Case>{
           {Revert("target"), "{\"to_event\":" + future + "}", {}, 422, "validation_failed"},
           {Revert("target"),
            "{\"to_event\":" + std::to_string(theirs) + "}",
            {},
            422,
            "validation_failed"},
           {Revert("target"), R"({"as_of":"yesterday"})", {}, 422, "validation_failed"},
           {Revert("target"), R"({"as_of":"2026-13-01T00:00:00Z"})", {}, 422, "validation_failed"},
           {Revert("target"), R"({"to_event":-1})", {}, 422, "validation_failed"},
           {Revert("target"), R"({"to_event":"1"})", {}, 422, "validation_failed"},
           {Revert("target"),
            "{\"to_event\":1,\"as_of\":\"2026-01-01\"}",
            {},
            422,
            "validation_failed"},
           {Revert("target"), R"({})", {}, 422, "validation_failed"},
           {Revert("target"), R"({"to_event":1,"dry_run":true})", {}, 422, "validation_failed"},
           {Revert("target"), R"({"to_event":)", {}, 400, "invalid_json"},
           {Revert("target"),
            "{\"to_event\":" + std::to_string(mine) + "}",
            {{"Content-Type", "text/plain"}},
            415,
            "unsupported_media_type"},
           {Revert("never-existed"),
            "{\"to_event\":" + std::to_string(mine) + "}",
            {},
            404,
            "flag_not_found"},
           {Revert("-bad"),
            "{\"to_event\":" + std::to_string(mine) + "}",
            {},
            400,
            "invalid_flag_key"},
           {Revert("target") + "?dry_run=true",
            "{\"to_event\":" + std::to_string(mine) + "}",
            {},
            400,
            "invalid_query"},
           {Revert("target"),
            "{\"to_event\":0}",
            {{"Flagledger-Change-Reason", ""}},
            422,
            "validation_failed"},
           {Restore(), "{\"to_event\":" + future + "}", {}, 422, "validation_failed"},
           {Restore(),
            "{\"to_event\":" + std::to_string(theirs) + ",\"dry_run\":true}",
            {},
            422,
            "validation_failed"},
           {Restore(),
            R"({"as_of":"2026-01-01T00:00:00","dry_run":false})",
            {},
            422,
            "validation_failed"},
           {Restore(), R"({"to_event":0,"dry_run":"yes"})", {}, 422, "validation_failed"},
           {Restore(), R"({"to_event":0,"flags":["a"]})", {}, 422, "validation_failed"},
       }) {
    HttpResult result = Post(bad.path, bad.body, bad.headers);
    ExpectProblem(result, bad.status, bad.code);
    EXPECT_EQ(Events(), events) << bad.path << " " << bad.body;
  }
  EXPECT_EQ(Sequence(), theirs) << "nothing was appended anywhere";
  EXPECT_EQ(Get(Revert("target")).status, 405);
}

TEST_F(RevertRestore, ADryRunPlansTheRestoreThatThenAppliesItAtomically) {
  for (const char* key : {"a", "b", "c", "d"})
    Create(std::string(R"({"flag_key":")") + key + "\"}");
  const std::uint64_t point = NewestSequence();
  const std::string list_then = Get(Base() + "?as_of_event=" + std::to_string(point)).body;
  ASSERT_EQ(Put(Base() + "/a", R"({"enabled":true})").status, 200);
  ASSERT_EQ(Patch(Base() + "/b/rollout", R"({"min_version":"3.0.0"})").status, 200);
  ASSERT_EQ(Delete(Base() + "/c").status, 200);
  Create(R"({"flag_key":"e"})");
  ASSERT_EQ(Put(Base() + "/d", R"({"enabled":true})").status, 200);
  ASSERT_EQ(Put(Base() + "/d", R"({"enabled":false})").status, 200);  // and back: unchanged
  const std::uint64_t newest = NewestSequence();
  const std::size_t events = Events();

  const std::string body = "{\"to_event\":" + std::to_string(point);
  HttpResult plan = Post(Restore(), body + ",\"dry_run\":true}");
  ASSERT_EQ(plan.status, 200) << plan.body;
  EXPECT_EQ(Events(), events) << "a dry run appends nothing";
  EXPECT_EQ(plan.Header("ETag"), "\"" + std::to_string(newest) + "\"");
  EXPECT_TRUE(plan.body.starts_with(
      R"({"organization_id":")" + Org() +
      R"(","dry_run":true,"restore_id":null,"reverted_to":{"to_event":)" + std::to_string(point) +
      R"(,"as_of":null},"organization_sequence":)" + std::to_string(newest) +
      R"(,"data":[{"flag_key":"a","change":"updated",)"))
      << plan.body;
  EXPECT_EQ(Count(plan.body, "\"flag_key\":\"a\",\"change\":\"updated\""), 1u);
  EXPECT_EQ(Count(plan.body, "\"flag_key\":\"b\",\"change\":\"updated\""), 1u);
  EXPECT_EQ(Count(plan.body, "\"flag_key\":\"c\",\"change\":\"created\""), 1u) << plan.body;
  EXPECT_EQ(Count(plan.body, "\"flag_key\":\"e\",\"change\":\"deleted\""), 1u) << plan.body;
  EXPECT_EQ(Count(plan.body, "\"flag_key\":\"d\""), 0u) << "changed and changed back";
  EXPECT_EQ(Count(plan.body, "\"event_sequence\":null,\"events\":[{\"sequence\":"), 4u);

  // Someone writes between the plan and the restore: If-Match with the plan's ETag refuses it.
  ASSERT_EQ(Put(Base() + "/b", R"({"enabled":true})").status, 200);
  ExpectProblem(Post(Restore(), body + "}", {{"If-Match", plan.Header("ETag")}}), 412,
                "precondition_failed");
  EXPECT_EQ(Events(), events + 1);
  plan = Post(Restore(), body + ",\"dry_run\":true}");
  const HeaderList headers = {{"If-Match", plan.Header("ETag")},
                              {"Idempotency-Key", "restore-1"},
                              {"Flagledger-Change-Reason", "undo the 14:00 changes"}};
  HttpResult restored = Post(Restore(), body + "}", headers);
  ASSERT_EQ(restored.status, 200) << restored.body;
  EXPECT_NE(restored.body.find(R"("dry_run":false,"restore_id":"rst_)"), std::string::npos);
  EXPECT_EQ(Count(restored.body, "\"event_sequence\":"), 4u) << restored.body;
  EXPECT_EQ(Events(), events + 1 + 4);
  const std::uint64_t last = NewestSequence();
  EXPECT_EQ(restored.Header("ETag"), "\"" + std::to_string(last) + "\"");
  EXPECT_NE(restored.body.find("\"event_sequence\":" + std::to_string(last) + "}"),
            std::string::npos);

  // Every flag is as it was at the point, created_at included; updated_at is now.
  static const std::regex kUpdatedAt(R"(,"updated_at":"[^"]*")");
  EXPECT_EQ(std::regex_replace(Get(Base()).body, kUpdatedAt, ""),
            std::regex_replace(list_then, kUpdatedAt, ""));

  // The four events are contiguous, of one restore, each with the point and the reason.
  std::string reverts = OrgEvents("&type=flag.reverted");
  std::size_t id_at = restored.body.find("\"restore_id\":\"") + 14;
  std::string restore_id = restored.body.substr(id_at, restored.body.find('"', id_at) - id_at);
  EXPECT_EQ(Count(reverts, "\"restore_id\":\"" + restore_id + "\""), 4u) << reverts;
  EXPECT_EQ(Count(reverts, "\"reason\":\"undo the 14:00 changes\""), 4u);
  for (std::uint64_t s = last - 3; s <= last; ++s) {
    EXPECT_NE(reverts.find("{\"sequence\":" + std::to_string(s) + ",\"type\":\"flag.reverted\""),
              std::string::npos);
  }

  // A retry replays the answer; a second restore finds nothing to do.
  HttpResult retry = Post(Restore(), body + "}", headers);
  EXPECT_EQ(retry.body, restored.body);
  EXPECT_EQ(retry.Header("Idempotent-Replayed"), "true");
  HttpResult again = Post(Restore(), body + "}");
  ASSERT_EQ(again.status, 200);
  EXPECT_NE(again.body.find(R"("restore_id":null)"), std::string::npos) << again.body;
  EXPECT_NE(again.body.find(R"("data":[]})"), std::string::npos) << again.body;
  EXPECT_EQ(Events(), events + 1 + 4);
}

// Readers never see a restore half done: every list read while restores run shows the
// organization wholly at one point or the other.
TEST_F(RevertRestore, ReadersSeeARestoreWhollyOrNotAtAll) {
  constexpr int kFlags = 200;
  for (int i = 0; i < kFlags; ++i) Create(R"({"flag_key":"f)" + std::to_string(i) + "\"}");
  const std::uint64_t all_off = NewestSequence();
  for (int i = 0; i < kFlags; ++i) {
    ASSERT_EQ(Put(Base() + "/f" + std::to_string(i), R"({"enabled":true})").status, 200);
  }
  const std::uint64_t all_on = NewestSequence();
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, mixed{0};
  std::thread reader([&] {
    HttpClient client(server_->port());
    while (!done.load()) {
      std::string page = client.Send("GET", Base() + "?limit=100&page=2").body;
      std::size_t on = Count(page, "\"enabled\":true"), off = Count(page, "\"enabled\":false");
      if (on + off != 100 || (on != 0 && off != 0)) ++mixed;
      ++reads;
    }
  });
  for (int round = 0; round < 6; ++round) {
    std::uint64_t point = round % 2 == 0 ? all_off : all_on;
    HttpResult restored = Post(Restore(), "{\"to_event\":" + std::to_string(point) + "}");
    EXPECT_EQ(restored.status, 200) << restored.body;
    EXPECT_EQ(Count(restored.body, "\"event_sequence\":"), std::size_t{kFlags});
    if (restored.status != 200) break;
  }
  done = true;
  reader.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(mixed.load(), 0) << "of " << reads.load() << " reads";
}

TEST_F(RevertRestore, ARestoreToTheStartDeletesEveryFlagAndByTimeToo) {
  Create(R"({"flag_key":"x"})");
  Create(R"({"flag_key":"y"})");
  HttpResult emptied = Post(Restore(), R"({"to_event":0})");
  ASSERT_EQ(emptied.status, 200) << emptied.body;
  EXPECT_EQ(Count(emptied.body, "\"change\":\"deleted\""), 2u);
  EXPECT_NE(Get(Base()).body.find(R"("total":0)"), std::string::npos);
  HttpResult by_time = Post(Restore(), R"({"as_of":"2999-01-01"})");
  ASSERT_EQ(by_time.status, 200) << by_time.body;
  EXPECT_NE(by_time.body.find(R"("data":[])"), std::string::npos) << "the newest state: as now";
}

}  // namespace
}  // namespace flagledger

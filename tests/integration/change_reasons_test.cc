// Flagledger-Change-Reason (docs/api.md, "Reasons"): recorded in the write's event, shown in
// history, filtered views and exports; refused with 422, appending nothing, when malformed.
#include <gtest/gtest.h>

#include "tests/testing/server_test.h"

namespace flagledger {
namespace {

class ChangeReasons : public ServerTest {
 protected:
  static HeaderList Reason(const std::string& reason) {
    return {{"Flagledger-Change-Reason", reason}};
  }
  std::string History(const std::string& key, const std::string& query = "") {
    return Get(Base() + "/" + key + "/history" + query).body;
  }
};

TEST_F(ChangeReasons, EveryKindOfWriteRecordsItsReason) {
  ASSERT_EQ(Post(Base(), R"({"flag_key":"beta"})", Reason("launch prep")).status, 201);
  ASSERT_EQ(Put(Base() + "/beta", R"({"enabled":true})",
                Reason("INC-4711: checkout errors; switched on by \u00c5sa"))
                .status,
            200);
  ASSERT_EQ(Patch(Base() + "/beta/rollout", R"({"min_version":"2.0.0"})",
                  {{"Content-Type", "application/merge-patch+json"},
                   {"Flagledger-Change-Reason", "only \"new\" clients, for now"}})
                .status,
            200);
  ASSERT_EQ(Put(Base() + "/beta", R"({"enabled":false})").status, 200);  // no reason
  ASSERT_EQ(Delete(Base() + "/beta", Reason("retired")).status, 200);
  std::string history = History("beta");
  EXPECT_NE(history.find(R"("reason":"launch prep","previous_hash")"), std::string::npos)
      << history;
  EXPECT_NE(history.find("\"reason\":\"INC-4711: checkout errors; switched on by \u00c5sa\""),
            std::string::npos)
      << history;
  EXPECT_NE(history.find(R"("reason":"only \"new\" clients, for now")"), std::string::npos)
      << history;
  EXPECT_NE(history.find(R"("reason":"retired","previous_hash")"), std::string::npos) << history;
  std::size_t reasons = 0;
  for (std::size_t at = history.find("\"reason\""); at != std::string::npos;
       at = history.find("\"reason\"", at + 1)) {
    ++reasons;
  }
  EXPECT_EQ(reasons, 4u) << "the write without a reason has none: " << history;

  // Filtered views and exports show it too.
  std::string filtered = Get("/api/v1/organizations/" + Org() + "/events?type=flag.deleted").body;
  EXPECT_NE(filtered.find(R"("reason":"retired")"), std::string::npos) << filtered;
  HttpResult csv = Get(Base() + "/beta/history", {{"Accept", "text/csv"}});
  EXPECT_NE(csv.body.find(",member,from,to,reason,reverted_to,restore_id,hash\r\n"),
            std::string::npos)
      << csv.body;
  EXPECT_NE(csv.body.find(",enabled,false,true,INC-4711: checkout errors; switched on by "
                          "\u00c5sa,"),
            std::string::npos)
      << csv.body;
  EXPECT_NE(csv.body.find(R"(,"only ""new"" clients, for now",)"), std::string::npos) << csv.body;
  HttpResult ndjson = Get(Base() + "/beta/history", {{"Accept", "application/x-ndjson"}});
  EXPECT_NE(ndjson.body.find(R"("reason":"launch prep")"), std::string::npos) << ndjson.body;
  CommandResult table =
      RunFlagledger("history --data-dir " + server_->data_dir() + " --org " + Org());
  EXPECT_NE(table.out.find("(retired)"), std::string::npos) << table.out;
}

TEST_F(ChangeReasons, ABadReasonIsRefusedAndAppendsNothing) {
  Create(R"({"flag_key":"beta"})");
  const std::size_t before = Events();
  std::string a_ring = "\u00c5";  // one character, two bytes
  struct Case {
    std::string reason;
    std::string problem;
  };
  for (const Case& bad : std::vector<Case>{
           {std::string(501, 'x'), "must be 1 to 500 characters"},
           {[&] {
              std::string text;
              for (int i = 0; i < 501; ++i) text += a_ring;
              return text;
            }(),
            "must be 1 to 500 characters"},
           {"", "must be 1 to 500 characters"},
           {"caf\xc3\x28", "must be valid UTF-8"},
           {"over\xc0\xaflong", "must be valid UTF-8"},
           {"surrogate \xed\xa0\x80", "must be valid UTF-8"},
           {"cut \xe2\x82", "must be valid UTF-8"},
           {"tab\there", "must not contain control characters"},
           {"c1 \xc2\x85", "must not contain control characters"},
       }) {
    SCOPED_TRACE(bad.reason.substr(0, 20));
    HttpResult put = Put(Base() + "/beta", R"({"enabled":true})", Reason(bad.reason));
    ExpectProblem(put, 422, "validation_failed");
    EXPECT_NE(put.body.find("\"field\":\"Flagledger-Change-Reason\""), std::string::npos)
        << put.body;
    EXPECT_NE(put.body.find(bad.problem), std::string::npos) << put.body;
    ExpectProblem(Delete(Base() + "/beta", Reason(bad.reason)), 422, "validation_failed");
  }
  EXPECT_EQ(Events(), before);
  EXPECT_EQ(Get(Base() + "/beta").body.find(R"("enabled":true)"), std::string::npos);

  std::string longest;
  for (int i = 0; i < 500; ++i) longest += a_ring;
  EXPECT_EQ(Put(Base() + "/beta", R"({"enabled":true})", Reason(longest)).status, 200)
      << "500 characters of two bytes each";
  EXPECT_NE(History("beta").find("\"reason\":\"" + longest + "\""), std::string::npos);
}

TEST_F(ChangeReasons, AReplayKeepsTheFirstReason) {
  Create(R"({"flag_key":"beta"})");
  HeaderList first = {{"Idempotency-Key", "reason-replay"}, {"Flagledger-Change-Reason", "first"}};
  HeaderList second = {{"Idempotency-Key", "reason-replay"},
                       {"Flagledger-Change-Reason", "second"}};
  ASSERT_EQ(Put(Base() + "/beta", R"({"enabled":true})", first).status, 200);
  HttpResult replayed = Put(Base() + "/beta", R"({"enabled":true})", second);
  EXPECT_EQ(replayed.Header("Idempotent-Replayed"), "true");
  std::string history = History("beta");
  EXPECT_NE(history.find(R"("reason":"first")"), std::string::npos) << history;
  EXPECT_EQ(history.find(R"("reason":"second")"), std::string::npos) << history;
}

}  // namespace
}  // namespace flagledger

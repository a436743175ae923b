// The hash chain against an attacker with file access: each test copies a data directory a
// real server wrote, changes it with RocksDB directly (as Debian's `ldb` would), and runs the
// real `flagledger verify` on it.
#include <gtest/gtest.h>

#include <filesystem>

#include "events/event_chain.h"
#include "events/event_codec.h"
#include "events/log_keys.h"
#include "tests/testing/http_client.h"
#include "tests/testing/raw_log.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

using internal::AuditKeys;
using internal::FlagEventsKey;
using internal::OrgEventsKey;
using internal::SequenceKey;
using internal::TimeIndexKey;

class TamperEvidence : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    ServerProcess server(dir_->Sub("data"));
    server.Start();
    HttpClient client(server.port());
    std::string base = "/api/v1/organizations/org-a/feature-flags";
    for (const char* key : {"alpha", "beta", "gamma"}) {  // events 1-3
      ASSERT_EQ(client.Send("POST", base, std::string(R"({"flag_key":")") + key + "\"}").status,
                201);
    }
    ASSERT_EQ(client.Send("PUT", base + "/alpha", R"({"enabled":true})").status, 200);  // 4
    ASSERT_EQ(client.Send("DELETE", base + "/beta").status, 200);                       // 5
    ASSERT_EQ(client.Send("PUT", base + "/gamma", R"({"enabled":true})").status, 200);  // 6
    HttpResult head = client.Send("GET", "/api/v1/events/head");
    ASSERT_EQ(head.status, 200) << head.body;
    head_ = new std::string(head.body);
    ASSERT_EQ(server.Stop(), 0);
  }
  static void TearDownTestSuite() {
    delete head_;
    delete dir_;
  }

  // A copy of the data directory the server left, for one attack.
  std::string Copy() {
    std::string copy = work_.Sub("copy");
    std::filesystem::copy(dir_->Sub("data"), copy, std::filesystem::copy_options::recursive);
    return copy;
  }
  // The head as GET /api/v1/events/head answered it: "SEQ:HASH".
  static std::string RecordedHead() {
    std::size_t at = head_->find("\"head\":\"") + 8;
    return head_->substr(at, head_->find('"', at) - at);
  }
  static CommandResult Verify(const std::string& data_dir, const std::string& expect_head = "") {
    return RunFlagledger("verify --data-dir " + data_dir +
                         (expect_head.empty() ? "" : " --expect-head " + expect_head));
  }
  // Removes event `sequence` and every index entry of it, as a careful attacker would.
  static void RemoveEvent(RawLog& raw, std::uint64_t sequence) {
    std::string json = raw.Get("events", SequenceKey(sequence));
    EventDecoder decoder;
    Event event = decoder.Decode(json).value();
    raw.Delete("events", SequenceKey(sequence));
    raw.Delete("flag_events", FlagEventsKey(event.organization_id, event.flag_key, sequence));
    raw.Delete("org_events", OrgEventsKey(event.organization_id, sequence));
    raw.Delete("time_index", TimeIndexKey(event.recorded_at, sequence));
    for (const std::string& key : AuditKeys(event)) raw.Delete("audit_index", key);
  }
  static std::string Replace(std::string text, const std::string& from, const std::string& to) {
    std::size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from << " in " << text;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  }

  static TempDir* dir_;
  static std::string* head_;
  TempDir work_;
};
TempDir* TamperEvidence::dir_ = nullptr;
std::string* TamperEvidence::head_ = nullptr;

TEST_F(TamperEvidence, AHealthyDirectoryVerifiesAgainstItsRecordedHead) {
  EXPECT_EQ(head_->find(R"({"sequence":6,"hash":")"), 0u) << *head_;
  std::string data = Copy();
  CommandResult verified = Verify(data, RecordedHead());
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_NE(verified.out.find("chain: 6 events, head " + RecordedHead()), std::string::npos)
      << verified.out;
  EXPECT_NE(verified.out.find("expected head: event 6 carries the expected hash"),
            std::string::npos)
      << verified.out;
  // A head recorded earlier still matches: the chain only grows.
  std::string older;
  {
    RawLog raw(data);
    SealedEvent sealed;
    std::string third = raw.Get("events", SequenceKey(3));
    ASSERT_TRUE(SplitSealedEvent(third, sealed));
    older = "3:" + std::string(sealed.hash);
  }
  CommandResult earlier = Verify(data, older);
  EXPECT_EQ(earlier.exit_code, 0) << earlier.out;
  EXPECT_NE(earlier.out.find("expected head: event 3 carries the expected hash"), std::string::npos)
      << earlier.out;
}

TEST_F(TamperEvidence, ARewrittenActorIsNamed) {
  std::string data = Copy();
  {
    RawLog raw(data);
    std::string json = raw.Get("events", SequenceKey(4));
    raw.Put("events", SequenceKey(4),
            Replace(json, R"("actor":"anonymous")", R"("actor":"someone-else")"));
  }
  CommandResult verified = Verify(data);
  EXPECT_EQ(verified.exit_code, 1) << verified.out;
  EXPECT_NE(verified.out.find("event 4: its content does not match its hash"), std::string::npos)
      << verified.out;
}

TEST_F(TamperEvidence, AChangedChangesValueIsNamed) {
  std::string data = Copy();
  {
    RawLog raw(data);
    std::string json = raw.Get("events", SequenceKey(6));
    raw.Put("events", SequenceKey(6),
            Replace(json, R"("enabled":{"from":false,"to":true})",
                    R"("enabled":{"from":false,"to":false})"));
  }
  CommandResult verified = Verify(data);
  EXPECT_EQ(verified.exit_code, 1) << verified.out;
  EXPECT_NE(verified.out.find("event 6: its content does not match its hash"), std::string::npos)
      << verified.out;
}

TEST_F(TamperEvidence, ADeletedNewestEventIsCaughtAgainstTheRecordedHead) {
  std::string data = Copy();
  {
    RawLog raw(data);
    RemoveEvent(raw, 6);
  }
  // Without a recorded head, a log cut at its end is a shorter healthy log: the threat model
  // (docs/api.md, "Tamper evidence") says so.
  CommandResult alone = Verify(data);
  EXPECT_NE(alone.out.find("chain: 5 events"), std::string::npos) << alone.out;
  CommandResult verified = Verify(data, RecordedHead());
  EXPECT_EQ(verified.exit_code, 1) << verified.out;
  EXPECT_NE(verified.out.find("the log ends at event 5, before the expected head 6"),
            std::string::npos)
      << verified.out;
}

TEST_F(TamperEvidence, AMiddleEventDeletedWithItsIndexEntriesIsNamed) {
  std::string data = Copy();
  {
    RawLog raw(data);
    RemoveEvent(raw, 3);
  }
  CommandResult verified = Verify(data);
  EXPECT_EQ(verified.exit_code, 1) << verified.out;
  EXPECT_NE(verified.out.find("MISMATCH chain: event 3: missing"), std::string::npos)
      << verified.out;
}

TEST_F(TamperEvidence, TwoSwappedEventsAreNamed) {
  std::string data = Copy();
  {
    RawLog raw(data);
    std::string second = raw.Get("events", SequenceKey(2));
    std::string fourth = raw.Get("events", SequenceKey(4));
    raw.Put("events", SequenceKey(2), fourth);
    raw.Put("events", SequenceKey(4), second);
  }
  CommandResult verified = Verify(data);
  EXPECT_EQ(verified.exit_code, 1) << verified.out;
  EXPECT_NE(verified.out.find("event 2: stored as event 2 but says it is event 4"),
            std::string::npos)
      << verified.out;
  EXPECT_NE(verified.out.find("event 2: its previous_hash is not the hash of event 1"),
            std::string::npos)
      << verified.out;
}

TEST_F(TamperEvidence, AChainRewrittenWholeIsCaughtOnlyAgainstTheRecordedHead) {
  std::string data = Copy();
  {  // The attacker changes event 4's actor, its index entries, and every hash from there on.
    RawLog raw(data);
    EventDecoder decoder;
    SealedEvent sealed;
    std::string third = raw.Get("events", SequenceKey(3));
    ASSERT_TRUE(SplitSealedEvent(third, sealed));
    std::string previous(sealed.hash);
    for (std::uint64_t sequence = 4; sequence <= 6; ++sequence) {
      Event event = decoder.Decode(raw.Get("events", SequenceKey(sequence))).value();
      if (sequence == 4) {
        for (const std::string& key : AuditKeys(event)) raw.Delete("audit_index", key);
        event.actor = "someone-else";
        for (const std::string& key : AuditKeys(event)) raw.Put("audit_index", key, "");
      }
      raw.Put("events", SequenceKey(sequence), EncodeChainedEvent(event, previous));
      previous = event.hash;
    }
  }
  CommandResult alone = Verify(data);
  EXPECT_EQ(alone.exit_code, 0) << "what the chain cannot prove on its own: " << alone.out;
  CommandResult verified = Verify(data, RecordedHead());
  EXPECT_EQ(verified.exit_code, 1) << verified.out;
  EXPECT_NE(verified.out.find("event 6 does not carry the expected hash"), std::string::npos)
      << verified.out;
}

TEST_F(TamperEvidence, AChainRemovedFromEveryEventIsNotAHealthyLog) {
  std::string data = Copy();
  {
    RawLog raw(data);
    EventDecoder decoder;
    for (std::uint64_t sequence = 1; sequence <= 6; ++sequence) {
      Event event = decoder.Decode(raw.Get("events", SequenceKey(sequence))).value();
      event.previous_hash.clear();
      event.hash.clear();
      raw.Put("events", SequenceKey(sequence), EncodeEvent(event));
    }
  }
  CommandResult verified = Verify(data);
  EXPECT_EQ(verified.exit_code, 1) << verified.out;
  EXPECT_NE(verified.out.find("MISMATCH chain: event 1: carries no chain hash"), std::string::npos)
      << verified.out;
  EXPECT_NE(verified.out.find("hint: neither the first nor the last event carries a hash"),
            std::string::npos)
      << verified.out;
}

TEST_F(TamperEvidence, AMalformedExpectedHeadIsAUsageError) {
  std::string data = Copy();
  for (const char* head : {"6", "0:", "x:abc", "6:ABC",
                           "0:0000000000000000000000000000000000000000000000000000000000000000"}) {
    CommandResult verified = Verify(data, std::string("'") + head + "'");
    EXPECT_EQ(verified.exit_code, 2) << head << ": " << verified.out;
    EXPECT_NE(verified.out.find("--expect-head takes SEQ:HASH"), std::string::npos) << verified.out;
  }
}

}  // namespace
}  // namespace flagledger

#include "events/event_chain.h"

#include <gtest/gtest.h>

#include "core/sha256.h"
#include "events/event_log.h"
#include "events/log_keys.h"
#include "tests/testing/event_builders.h"
#include "tests/testing/raw_log.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

TEST(EventChain, ASealedEventEndsWithItsChainMembersAndDecodesWithThem) {
  Event event = CreatedEvent("org-a", "x", true, Time("2026-01-01T00:00:00Z"));
  event.sequence = 1;
  event.version = 1;
  std::string json = EncodeChainedEvent(event, kGenesisHash);
  EXPECT_TRUE(json.ends_with(",\"previous_hash\":\"" + std::string(kGenesisHash) +
                             "\",\"hash\":\"" + event.hash + "\"}"))
      << json;
  SealedEvent sealed;
  ASSERT_TRUE(SplitSealedEvent(json, sealed));
  EXPECT_EQ(sealed.previous_hash, kGenesisHash);
  EXPECT_EQ(sealed.hash, event.hash);
  EXPECT_EQ(ChainHash(sealed), event.hash);
  // The hash covers the JSON without its "hash" member: what EncodeEvent writes before it.
  Event unsealed = event;
  unsealed.hash.clear();
  EXPECT_EQ(event.hash, Sha256Hex(EncodeEvent(unsealed)));

  EventDecoder decoder;
  Event decoded = decoder.Decode(json).value();
  EXPECT_EQ(decoded, event);
  EXPECT_EQ(EncodeEvent(decoded), json) << "decoding and encoding again changes nothing";
}

TEST(EventChain, OnlyAWellFormedTailSplits) {
  Event event = CreatedEvent("org-a", "x", true, Time("2026-01-01T00:00:00Z"));
  std::string json = EncodeChainedEvent(event, kGenesisHash);
  SealedEvent sealed;
  EXPECT_FALSE(SplitSealedEvent(
      EncodeEvent(CreatedEvent("org-a", "x", true, Time("2026-01-01T00:00:00Z"))), sealed));
  std::string upper = json;
  upper[upper.size() - 3] = 'A';  // not lowercase hex
  EXPECT_FALSE(SplitSealedEvent(upper, sealed));
  std::string shorter = json;
  shorter.erase(shorter.size() - 3, 1);
  EXPECT_FALSE(SplitSealedEvent(shorter, sealed));
  EXPECT_FALSE(SplitSealedEvent(json.substr(0, json.size() - 1), sealed));
  EXPECT_FALSE(SplitSealedEvent("", sealed));
  EXPECT_FALSE(SplitSealedEvent("}", sealed));
}

TEST(EventChain, HeadsParseOnlyInTheirOneForm) {
  ChainHead head;
  std::string hash(64, 'a');
  ASSERT_TRUE(ParseChainHead("42:" + hash, head));
  EXPECT_EQ(head, (ChainHead{42, hash}));
  EXPECT_EQ(FormatChainHead(head), "42:" + hash);
  for (std::string bad : {std::string("42"), ":" + hash, "0:" + hash, "-1:" + hash, "4x:" + hash,
                          "42:" + std::string(63, 'a'), "42:" + std::string(64, 'A'),
                          "42:" + hash + "0", "42 :" + hash}) {
    EXPECT_FALSE(ParseChainHead(bad, head)) << bad;
  }
}

TEST(EventChain, AppendsChainEveryEventAcrossBatchesAndReopens) {
  TempDir dir;
  Timestamp t = Time("2026-01-01T00:00:00Z");
  std::string first_hash;
  {
    auto log = EventLog::Open(dir.path(), EventLogOptions{}).value();
    EXPECT_EQ(log->Head().value(), ChainHead{});
    std::vector<Event> batch = {CreatedEvent("org-a", "x", true, t),
                                CreatedEvent("org-a", "y", true, t)};
    ASSERT_TRUE(log->Append(batch).ok());
    EXPECT_EQ(batch[0].previous_hash, kGenesisHash);
    EXPECT_EQ(batch[1].previous_hash, batch[0].hash);
    EXPECT_EQ(log->Head().value(), (ChainHead{2, batch[1].hash}));
    first_hash = batch[1].hash;
  }
  auto log = EventLog::Open(dir.path(), EventLogOptions{}).value();
  std::vector<Event> next = {DeletedEvent("org-a", "x", t)};
  ASSERT_TRUE(log->Append(next).ok());
  EXPECT_EQ(next[0].previous_hash, first_hash) << "the chain goes on after a reopen";
  std::vector<std::string> problems;
  auto checked = log->CheckChain([&](const std::string& text) { problems.push_back(text); });
  ASSERT_TRUE(checked.ok());
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(*checked, (ChainHead{3, next[0].hash}));
}

TEST(EventChain, TheUpgradeToSchema4ChainsEveryEventAndMayRunAgain) {
  TempDir dir;
  Timestamp t = Time("2026-01-01T00:00:00Z");
  ChainHead head;
  {
    auto log = EventLog::Open(dir.path(), EventLogOptions{}).value();
    std::vector<Event> batch = {CreatedEvent("org-a", "x", true, t),
                                CreatedEvent("org-b", "y", true, t), DeletedEvent("org-a", "x", t)};
    ASSERT_TRUE(log->Append(batch).ok());
    head = log->Head().value();
  }
  {  // As schema 3 stored them: no chain members.
    RawLog raw(dir.path());
    EventDecoder decoder;
    for (std::uint64_t sequence = 1; sequence <= 3; ++sequence) {
      Event event = decoder.Decode(raw.Get("events", internal::SequenceKey(sequence))).value();
      event.previous_hash.clear();
      event.hash.clear();
      raw.Put("events", internal::SequenceKey(sequence), EncodeEvent(event));
    }
    raw.Put("default", "schema_version", "3");
  }
  for (int run = 0; run < 2; ++run) {  // the second as if a crash came before the version
    std::vector<std::string> steps;
    EventLogOptions options;
    options.on_upgrade = [&](const std::string& step) { steps.push_back(step); };
    auto log = EventLog::Open(dir.path(), options).value();
    ASSERT_EQ(steps.size(), 2u) << "to 4, then to 5";
    EXPECT_NE(steps[0].find("from schema 3 to 4"), std::string::npos) << steps[0];
    EXPECT_EQ(log->Head().value(), head) << "the same chain as the appends made";
    std::vector<std::string> problems;
    EXPECT_EQ(log->CheckChain([&](const std::string& p) { problems.push_back(p); }).value(), head);
    EXPECT_TRUE(problems.empty());
    std::vector<Event> next = {CreatedEvent("org-a", "z", true, t)};
    if (run == 0) {
      log.reset();
      RawLog(dir.path()).Put("default", "schema_version", "3");
    } else {
      ASSERT_TRUE(log->Append(next).ok());
      EXPECT_EQ(next[0].previous_hash, head.hash) << "appends chain on from the upgraded head";
    }
  }
}

}  // namespace
}  // namespace flagledger

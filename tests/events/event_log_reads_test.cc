#include <gtest/gtest.h>

#include "events/event_codec.h"
#include "events/event_log.h"
#include "events/log_keys.h"
#include "tests/testing/event_builders.h"
#include "tests/testing/raw_log.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

class EventLogReads : public ::testing::Test {
 protected:
  void SetUp() override { log_ = EventLog::Open(dir_.path(), EventLogOptions{}).value(); }

  void Append(std::vector<Event> events) { ASSERT_TRUE(log_->Append(events).ok()); }

  std::vector<std::uint64_t> Sequences(const EventRange& range, const std::string& org = "",
                                       const std::string& key = "") {
    std::vector<std::uint64_t> out;
    EventVisitor visit = [&](std::uint64_t sequence, std::string_view) {
      out.push_back(sequence);
      return true;
    };
    Status status = org.empty()   ? log_->Scan(range, visit)
                    : key.empty() ? log_->ScanOrganization(org, range, visit)
                                  : log_->ScanFlag(org, key, range, visit);
    EXPECT_TRUE(status.ok());
    return out;
  }

  TempDir dir_;
  std::unique_ptr<EventLog> log_;
};

using Seqs = std::vector<std::uint64_t>;

TEST_F(EventLogReads, ScansWindowsInBothOrders) {
  Timestamp t = Time("2026-01-01T00:00:00Z");
  for (int i = 0; i < 10; ++i) Append({CreatedEvent("org-a", "k" + std::to_string(i), true, t)});
  EXPECT_EQ(Sequences(EventRange{3, 7}), (Seqs{4, 5, 6}));
  EXPECT_EQ(Sequences(EventRange{3, 7, true}), (Seqs{6, 5, 4}));
  EXPECT_EQ(Sequences(EventRange{0, EventRange::kEnd, true, 2}), (Seqs{10, 9}));
  EXPECT_EQ(Sequences(EventRange{8}), (Seqs{9, 10}));
  EXPECT_EQ(Sequences(EventRange{10}), Seqs{});
  EXPECT_EQ(Sequences(EventRange{5, 6}), Seqs{});
  EXPECT_EQ(Sequences(EventRange{0, 1}), Seqs{});
  EXPECT_EQ(Sequences(EventRange{0, EventRange::kEnd, false, 0}), Seqs{});
}

TEST_F(EventLogReads, ScansOneOrganizationOrOneFlag) {
  Timestamp t = Time("2026-01-01T00:00:00Z");
  Append({CreatedEvent("org-a", "x", true, t), CreatedEvent("org-ab", "x", true, t),
          CreatedEvent("org-a", "x.y", true, t), DeletedEvent("org-a", "x", t),
          CreatedEvent("org-a", "x", false, t)});
  EXPECT_EQ(Sequences(EventRange{}, "org-a"), (Seqs{1, 3, 4, 5}));
  EXPECT_EQ(Sequences(EventRange{}, "org-ab"), (Seqs{2}));
  EXPECT_EQ(Sequences(EventRange{}, "org-a", "x"), (Seqs{1, 4, 5}));
  EXPECT_EQ(Sequences(EventRange{1, EventRange::kEnd, true}, "org-a", "x"), (Seqs{5, 4}));
  EXPECT_EQ(Sequences(EventRange{}, "org-a", "x.y"), (Seqs{3}));
  EXPECT_EQ(Sequences(EventRange{}, "org"), Seqs{});
}

TEST_F(EventLogReads, FindsAFlagsEventAtAPoint) {
  Timestamp t = Time("2026-01-01T00:00:00Z");
  Append({CreatedEvent("org-a", "other", true, t)});
  Append({CreatedEvent("org-a", "x", true, t), CreatedEvent("org-a", "y", true, t)});
  Append({DeletedEvent("org-a", "x", t)});
  EventDecoder decoder;
  auto sequence_at = [&](std::uint64_t at) -> std::uint64_t {
    auto json = log_->FlagEventAt("org-a", "x", at).value();
    return json ? decoder.Decode(*json)->sequence : 0;
  };
  EXPECT_EQ(sequence_at(1), 0u);
  EXPECT_EQ(sequence_at(2), 2u);
  EXPECT_EQ(sequence_at(3), 2u);
  EXPECT_EQ(sequence_at(4), 4u);
  EXPECT_EQ(sequence_at(EventRange::kEnd), 4u);
}

TEST_F(EventLogReads, EqualTimestampsResolveToTheNewestSequence) {
  Timestamp t1 = Time("2026-01-01T00:00:00Z"), t2 = Time("2026-01-01T00:00:01Z");
  Append({CreatedEvent("org-a", "a", true, t1), CreatedEvent("org-a", "b", true, t1),
          CreatedEvent("org-a", "c", true, t1)});
  Append({CreatedEvent("org-a", "d", true, t2)});
  EXPECT_EQ(log_->SequenceAt(Time("2025-12-31T23:59:59.999999Z")).value(), 0u);
  EXPECT_EQ(log_->SequenceAt(t1).value(), 3u);
  EXPECT_EQ(log_->SequenceAt(Time("2026-01-01T00:00:00.999999Z")).value(), 3u);
  EXPECT_EQ(log_->SequenceAt(t2).value(), 4u);
  EXPECT_EQ(log_->SequenceAt(Time("9999-01-01T00:00:00Z")).value(), 4u);
}

TEST_F(EventLogReads, ListsEveryKeyAnOrganizationEverHadInKeyOrder) {
  Timestamp t = Time("2026-01-01T00:00:00Z");
  Append({CreatedEvent("org-a", "b", true, t), CreatedEvent("org-a", "a.b", true, t),
          CreatedEvent("org-a", "a", true, t), DeletedEvent("org-a", "b", t),
          CreatedEvent("org-ab", "zz", true, t), CreatedEvent("org", "q", true, t)});
  std::vector<std::string> keys;
  ASSERT_TRUE(log_->ForEachFlagKey("org-a",
                                   [&](std::string_view key) {
                                     keys.emplace_back(key);
                                     return true;
                                   })
                  .ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "a.b", "b"}));
}

TEST_F(EventLogReads, IntegrityCheckPassesOnAHealthyLog) {
  Timestamp t = Time("2026-01-01T00:00:00Z");
  Append({CreatedEvent("org-a", "x", true, t), DeletedEvent("org-a", "x", t)});
  Append({CreatedEvent("org-a", "x", true, t)});
  std::vector<std::string> problems;
  auto checked = log_->CheckIntegrity([&](const std::string& p) { problems.push_back(p); });
  ASSERT_TRUE(checked.ok());
  EXPECT_EQ(*checked, 3u);
  EXPECT_TRUE(problems.empty()) << problems.front();
}

TEST_F(EventLogReads, IntegrityCheckFindsADamagedIndexEntry) {
  Timestamp t = Time("2026-01-01T00:00:00Z");
  Append({CreatedEvent("org-a", "x", true, t), CreatedEvent("org-a", "y", true, t)});
  log_.reset();
  {  // Point y's flag_events entry at a wrong version, as a bug or bit rot might.
    RawLog raw(dir_.path());
    std::string wrong_version;
    internal::AppendBigEndian(wrong_version, 7);
    raw.Put("flag_events", internal::FlagEventsKey("org-a", "y", 2), wrong_version);
    raw.Put("org_events", internal::OrgEventsKey("org-z", 9), "");
  }
  log_ = EventLog::Open(dir_.path(), EventLogOptions{}).value();
  std::vector<std::string> problems;
  ASSERT_TRUE(log_->CheckIntegrity([&](const std::string& p) { problems.push_back(p); }).ok());
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0], "flag_events entry for event 2 does not match the log");
  EXPECT_EQ(problems[1], "org_events entry for event 9 does not match the log");
  EXPECT_EQ(problems[2], "org_events has 3 entries for 2 events");
}

TEST_F(EventLogReads, ASecondaryReadsWhileThePrimaryWrites) {
  Timestamp t = Time("2026-01-01T00:00:00Z");
  Append({CreatedEvent("org-a", "x", true, t)});
  EventLogOptions options;
  options.secondary = true;
  auto secondary = EventLog::Open(dir_.path(), options);
  ASSERT_TRUE(secondary.ok()) << secondary.status().detail();
  EXPECT_EQ((*secondary)->last_sequence(), 1u);
  Append({CreatedEvent("org-a", "y", true, t)});
  auto later = EventLog::Open(dir_.path(), options);  // while the primary stays open
  ASSERT_TRUE(later.ok()) << later.status().detail();
  EXPECT_EQ((*later)->last_sequence(), 2u);
  std::vector<Event> more = {CreatedEvent("org-a", "z", true, t)};
  EXPECT_FALSE((*secondary)->Append(more).ok());
}

TEST_F(EventLogReads, ASecondaryNeedsAnExistingLog) {
  TempDir empty;
  EventLogOptions options;
  options.secondary = true;
  auto secondary = EventLog::Open(empty.path(), options);
  ASSERT_FALSE(secondary.ok());
  EXPECT_NE(secondary.status().detail().find("no event log"), std::string::npos);
}

}  // namespace
}  // namespace flagledger

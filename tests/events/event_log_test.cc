#include "events/event_log.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "events/event_codec.h"
#include "events/log_keys.h"
#include "tests/testing/event_builders.h"
#include "tests/testing/raw_log.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wal_bytes.h"

namespace flagledger {
namespace {

std::unique_ptr<EventLog> OpenLog(const std::string& dir) {
  auto log = EventLog::Open(dir, EventLogOptions{});
  EXPECT_TRUE(log.ok()) << log.status().detail();
  return std::move(log).value();
}

std::vector<Event> ReadAll(const EventLog& log, std::uint64_t after = 0) {
  std::vector<Event> events;
  EventDecoder decoder;
  Status status = log.Scan(EventRange{after}, [&](std::uint64_t sequence, std::string_view json) {
    Event event = decoder.Decode(json).value();
    EXPECT_EQ(event.sequence, sequence);
    events.push_back(std::move(event));
    return true;
  });
  EXPECT_TRUE(status.ok());
  return events;
}

TEST(EventLog, AssignsGaplessSequencesAndPerKeyVersions) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  EXPECT_EQ(log->last_sequence(), 0u);
  Timestamp t = Time("2026-01-01T00:00:00Z");
  std::vector<Event> batch = {CreatedEvent("org-a", "x", true, t),
                              CreatedEvent("org-a", "y", true, t), DeletedEvent("org-a", "x", t)};
  ASSERT_TRUE(log->Append(batch).ok());
  EXPECT_EQ(batch[0].sequence, 1u);
  EXPECT_EQ(batch[1].sequence, 2u);
  EXPECT_EQ(batch[2].sequence, 3u);
  EXPECT_EQ(batch[0].version, 1u);
  EXPECT_EQ(batch[1].version, 1u);
  EXPECT_EQ(batch[2].version, 2u);
  EXPECT_EQ(log->last_sequence(), 3u);

  std::vector<Event> recreate = {CreatedEvent("org-a", "x", false, t)};
  ASSERT_TRUE(log->Append(recreate).ok());
  EXPECT_EQ(recreate[0].sequence, 4u);
  EXPECT_EQ(recreate[0].version, 3u) << "a re-created key continues its stream's count";
}

// A log holding an event of every type opens again and reads each back: a type the codec or
// the log's open-time checks do not know would make the log refuse to open.
TEST(EventLog, ReopensWithAnEventOfEveryType) {
  TempDir dir;
  Timestamp t = Time("2026-01-01T00:00:00Z");
  std::vector<Event> batch;
  for (const EventTypeInfo& info : kEventTypes) {
    batch.push_back(SampleEventOf(info.type, "org-a", "k" + std::to_string(batch.size()), t));
  }
  {
    auto log = OpenLog(dir.path());
    ASSERT_TRUE(log->Append(batch).ok());
  }
  auto log = OpenLog(dir.path());
  ASSERT_TRUE(log);
  std::vector<Event> read = ReadAll(*log);
  ASSERT_EQ(read.size(), kEventTypeCount);
  for (std::size_t i = 0; i < kEventTypeCount; ++i) EXPECT_EQ(read[i], batch[i]);
}

// Append remembers the versions of streams it wrote lately, to skip a seek, and forgets them
// past a bound: either way, and after a reopen, a stream's versions count on from the log.
TEST(EventLog, VersionsCountOnWhetherOrNotAppendRemembersTheStream) {
  TempDir dir;
  EventLogOptions options;
  options.recent_versions = 1000;  // remembers 1,000 to 2,000 streams
  auto open = [&] {
    auto opened = EventLog::Open(dir.path(), options);
    EXPECT_TRUE(opened.ok()) << opened.status().detail();
    return std::move(opened).value();
  };
  auto log = open();
  Timestamp t = Time("2026-01-01T00:00:00Z");
  std::vector<Event> first = {CreatedEvent("org-a", "x", true, t)};
  ASSERT_TRUE(log->Append(first).ok());
  std::vector<Event> again = {DeletedEvent("org-a", "x", t), CreatedEvent("org-a", "x", true, t)};
  ASSERT_TRUE(log->Append(again).ok());
  EXPECT_EQ(again[0].version, 2u);
  EXPECT_EQ(again[1].version, 3u);

  for (int round = 0; round < 10; ++round) {  // more distinct streams than Append remembers
    std::vector<Event> others;
    for (int i = 0; i < 500; ++i) {
      others.push_back(CreatedEvent("org-b", "k" + std::to_string(round * 500 + i), true, t));
    }
    ASSERT_TRUE(log->Append(others).ok());
    if (round == 1) {  // 1,000 streams later x is in the older generation
      std::vector<Event> from_older = {DeletedEvent("org-a", "x", t)};
      ASSERT_TRUE(log->Append(from_older).ok());
      EXPECT_EQ(from_older[0].version, 4u);
      std::vector<Event> moved_back = {CreatedEvent("org-a", "x", true, t)};
      ASSERT_TRUE(log->Append(moved_back).ok());
      EXPECT_EQ(moved_back[0].version, 5u);
    }
  }
  std::vector<Event> bulk;  // one batch larger than the bound, the last one before x again
  for (int i = 0; i < 5000; ++i) {
    bulk.push_back(CreatedEvent("org-c", "k" + std::to_string(i), true, t));
  }
  ASSERT_TRUE(log->Append(bulk).ok());
  std::vector<Event> after_forgetting = {DeletedEvent("org-a", "x", t)};
  ASSERT_TRUE(log->Append(after_forgetting).ok());
  EXPECT_EQ(after_forgetting[0].version, 6u);

  log.reset();
  log = open();
  std::vector<Event> after_reopen = {CreatedEvent("org-a", "x", true, t),
                                     DeletedEvent("org-b", "k4999", t),
                                     DeletedEvent("org-c", "k4999", t)};
  ASSERT_TRUE(log->Append(after_reopen).ok());
  EXPECT_EQ(after_reopen[0].version, 7u);
  EXPECT_EQ(after_reopen[1].version, 2u);
  EXPECT_EQ(after_reopen[2].version, 2u);
}

// LastVersion's answer from a seek is remembered, and the Append that follows (the writer
// asks, then appends) counts on from it, for a stream with events and for one without.
TEST(EventLog, AppendCountsOnFromTheVersionsLastVersionRead) {
  TempDir dir;
  Timestamp t = Time("2026-01-01T00:00:00Z");
  {
    auto log = OpenLog(dir.path());
    std::vector<Event> first = {CreatedEvent("org-a", "x", true, t), DeletedEvent("org-a", "x", t)};
    ASSERT_TRUE(log->Append(first).ok());
  }
  auto log = OpenLog(dir.path());  // nothing remembered yet
  EXPECT_EQ(log->LastVersion("org-a", "x").value(), 2u);
  EXPECT_EQ(log->LastVersion("org-a", "y").value(), 0u);
  EXPECT_EQ(log->LastVersion("org-a", "x").value(), 2u) << "asked again";
  std::vector<Event> next = {CreatedEvent("org-a", "x", true, t),
                             CreatedEvent("org-a", "y", true, t)};
  ASSERT_TRUE(log->Append(next).ok());
  EXPECT_EQ(next[0].version, 3u);
  EXPECT_EQ(next[1].version, 1u);
  EXPECT_EQ(log->LastVersion("org-a", "x").value(), 3u);
  EXPECT_EQ(log->LastVersion("org-a", "y").value(), 1u);
}

// Restart replays the live write-ahead log, so the log keeps it under max_wal_bytes: the
// column families still holding the oldest WAL file are flushed and the file goes (without the
// bound, the rarely written families keep every file since the start).
// The test only writes while RocksDB flushes and compacts in the background (its 500 streams
// stay in Append's version cache, so no write reads a table file), and reads back through a
// secondary instance, which runs no background work: Debian's RocksDB is not instrumented, and
// ThreadSanitizer takes a table block shared through its cache for a race.
TEST(EventLog, KeepsTheWriteAheadLogUnderItsBound) {
  TempDir dir;
  EventLogOptions options;
  options.max_wal_bytes = std::uint64_t{1} << 20;
  auto opened = EventLog::Open(dir.path(), options);
  ASSERT_TRUE(opened.ok()) << opened.status().detail();
  std::unique_ptr<EventLog> log = std::move(opened).value();
  Timestamp t = Time("2026-01-01T00:00:00Z");
  constexpr int kBatches = 40, kPerBatch = 500;  // ~9 MB of WAL unbounded
  for (int b = 0; b < kBatches; ++b) {
    std::vector<Event> batch;
    for (int i = 0; i < kPerBatch; ++i) {
      std::string key = "flag-" + std::to_string(i);
      batch.push_back(b % 2 == 0 ? CreatedEvent("org-a", key, true, t)
                                 : DeletedEvent("org-a", key, t));
    }
    ASSERT_TRUE(log->Append(batch).ok());
  }
  auto wal_bytes = [&] { return WriteAheadLogBytes(dir.path()); };
  // The flushes run in the background: wait for them (the bound is 1 MiB; a batch ~0.25 MB).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (wal_bytes() > (std::uintmax_t{3} << 20) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_LE(wal_bytes(), std::uintmax_t{3} << 20);

  log.reset();
  EventLogOptions reader;
  reader.secondary = true;
  auto reopened = EventLog::Open(dir.path(), reader);
  ASSERT_TRUE(reopened.ok()) << reopened.status().detail();
  std::vector<Event> events = ReadAll(**reopened);
  ASSERT_EQ(events.size(), std::size_t{kBatches * kPerBatch}) << "flushed, not lost";
  EXPECT_EQ(events.back().version, std::uint64_t{kBatches});
}

TEST(EventLog, SameKeyInAnotherOrganizationHasItsOwnStream) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  Timestamp t = Time("2026-01-01T00:00:00Z");
  std::vector<Event> batch = {CreatedEvent("org-a", "x", true, t),
                              CreatedEvent("org-ab", "x", true, t),
                              CreatedEvent("org-a", "x.y", true, t)};
  ASSERT_TRUE(log->Append(batch).ok());
  for (const Event& event : batch) EXPECT_EQ(event.version, 1u);
}

TEST(EventLog, ScansInSequenceOrderFromAPosition) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  Timestamp t = Time("2026-01-01T00:00:00Z");
  for (int i = 0; i < 300; ++i) {  // crosses byte boundaries of the big-endian key
    std::vector<Event> one = {CreatedEvent("org-a", "k" + std::to_string(i), true, t)};
    ASSERT_TRUE(log->Append(one).ok());
  }
  auto events = ReadAll(*log, 250);
  ASSERT_EQ(events.size(), 50u);
  EXPECT_EQ(events.front().sequence, 251u);
  EXPECT_EQ(events.back().sequence, 300u);
}

TEST(EventLog, PersistsAcrossReopen) {
  TempDir dir;
  Timestamp t = Time("2026-01-01T00:00:00.25Z");
  {
    auto log = OpenLog(dir.path());
    std::vector<Event> batch = {CreatedEvent("org-a", "x", true, t)};
    ASSERT_TRUE(log->Append(batch).ok());
  }
  auto log = OpenLog(dir.path());
  EXPECT_EQ(log->last_sequence(), 1u);
  EXPECT_EQ(log->last_recorded_at(), t);
  auto events = ReadAll(*log);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].flag_key, "x");
  std::vector<Event> next = {DeletedEvent("org-a", "x", t)};
  ASSERT_TRUE(log->Append(next).ok());
  EXPECT_EQ(next[0].sequence, 2u);
  EXPECT_EQ(next[0].version, 2u);
}

TEST(EventLog, RefusesRecordedAtGoingBackAndWritesNothing) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  std::vector<Event> first = {CreatedEvent("org-a", "x", true, Time("2026-01-02T00:00:00Z"))};
  ASSERT_TRUE(log->Append(first).ok());
  std::vector<Event> earlier = {CreatedEvent("org-a", "y", true, Time("2026-01-01T00:00:00Z"))};
  EXPECT_FALSE(log->Append(earlier).ok());
  EXPECT_EQ(log->last_sequence(), 1u);
  EXPECT_EQ(ReadAll(*log).size(), 1u);
}

TEST(EventLog, RefusesAnUnknownSchemaVersion) {
  TempDir dir;
  { OpenLog(dir.path()); }
  RawLog(dir.path()).Put("default", "schema_version", "99");
  auto log = EventLog::Open(dir.path(), EventLogOptions{});
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().detail().find("schema version 99"), std::string::npos)
      << log.status().detail();
}

TEST(EventLog, RefusesADirectoryHeldByAnotherInstance) {
  TempDir dir;
  auto first = OpenLog(dir.path());
  auto second = EventLog::Open(dir.path(), EventLogOptions{});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace flagledger

namespace flagledger {
namespace {

TEST(EventLogSchema, AnOlderSchemaIsUpgradedOnceAtAWritableOpen) {
  TempDir dir;
  std::string created_id;
  {
    auto log = OpenLog(dir.path());
    created_id = log->log_id();
    std::vector<Event> batch = {CreatedEvent("org-a", "x", true, Time("2026-01-01T00:00:00Z"))};
    ASSERT_TRUE(log->Append(batch).ok());
  }
  EXPECT_EQ(created_id.size(), 32u) << "a new log is given its id";
  {  // As release 0.9.0 left it: schema 1, no log id.
    RawLog raw(dir.path());
    raw.Put("default", "schema_version", "1");
    raw.Delete("default", "log_id");
  }
  EventLogOptions reading;
  reading.secondary = true;
  EXPECT_EQ(EventLog::Open(dir.path(), reading).value()->log_id(), "")
      << "a read-only open reads schema 1 as it is";
  std::vector<std::string> steps;
  EventLogOptions options;
  options.on_upgrade = [&](const std::string& step) { steps.push_back(step); };
  std::string upgraded_id;
  {
    auto log = EventLog::Open(dir.path(), options).value();
    upgraded_id = log->log_id();
    EXPECT_EQ(log->last_sequence(), 1u);
  }
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_NE(steps[0].find("from schema 1 to 2"), std::string::npos) << steps[0];
  EXPECT_NE(steps[1].find("from schema 2 to 3"), std::string::npos) << steps[1];
  EXPECT_NE(steps[2].find("from schema 3 to 4"), std::string::npos) << steps[2];
  EXPECT_NE(steps[3].find("from schema 4 to 5"), std::string::npos) << steps[3];
  EXPECT_EQ(upgraded_id.size(), 32u);
  EXPECT_NE(upgraded_id, created_id);
  EXPECT_EQ(EventLog::Open(dir.path(), options).value()->log_id(), upgraded_id);
  EXPECT_EQ(steps.size(), 4u) << "nothing to upgrade the second time";
}

TEST(EventLogSchema, TheUpgradeToSchema3IndexesActorsAndTypesAndFillsInDeletes) {
  TempDir dir;
  std::vector<Event> batch = {CreatedEvent("org-a", "x", true, Time("2026-01-01T00:00:00Z")),
                              DeletedEvent("org-a", "x", Time("2026-01-01T00:00:01Z"))};
  batch[1].actor = "remover";
  {
    auto log = OpenLog(dir.path());
    ASSERT_TRUE(log->Append(batch).ok());
  }
  {  // As release 0.10.0 left it: schema 2, no audit index, deletes without "previous".
    RawLog raw(dir.path());
    raw.Put("default", "schema_version", "2");
    for (const Event& event : batch) {
      for (const std::string& key : internal::AuditKeys(event)) raw.Delete("audit_index", key);
    }
  }
  EventLogOptions reading;
  reading.secondary = true;
  EventFilter by_remover;
  by_remover.actors = {"remover"};
  auto count = [&](const EventLog& log) {
    int found = 0;
    EXPECT_TRUE(log.Query(by_remover, EventRange{},
                          [&](std::uint64_t, std::string_view) {
                            ++found;
                            return true;
                          })
                    .ok());
    return found;
  };
  EXPECT_EQ(count(*EventLog::Open(dir.path(), reading).value()), 1)
      << "a schema-2 log is filtered without the index";
  auto log = OpenLog(dir.path());
  EXPECT_EQ(count(*log), 1) << "and with it after the upgrade";
  std::string deleted;
  ASSERT_TRUE(log->Scan(EventRange{1, 3},
                        [&](std::uint64_t sequence, std::string_view json) {
                          if (sequence == 2) deleted = std::string(json);
                          return true;
                        })
                  .ok());
  auto decoded = EventDecoder().Decode(deleted);
  ASSERT_TRUE(decoded.ok()) << deleted;
  ASSERT_TRUE(decoded->previous.has_value()) << deleted;
  EXPECT_EQ(*decoded->previous, *batch[0].flag);
  std::vector<std::string> problems;
  EXPECT_EQ(
      log->CheckIntegrity([&](const std::string& problem) { problems.push_back(problem); }).value(),
      2u);
  EXPECT_TRUE(problems.empty()) << problems.front();
}

}  // namespace
}  // namespace flagledger

// The log under storage faults and damage: what a failed write leaves, how it recovers, and
// which damage refuses the open (docs/operations.md, "What damage does").
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "events/event_log.h"
#include "tests/testing/event_builders.h"
#include "tests/testing/failing_file_system.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

Status AppendOne(EventLog& log, const std::string& key) {
  std::vector<Event> batch = {CreatedEvent("org-a", key, true, Time("2026-01-01T00:00:00Z"))};
  return log.Append(batch);
}

std::uint64_t CountEvents(const EventLog& log) {
  std::uint64_t count = 0;
  EXPECT_TRUE(log.Scan(EventRange{},
                       [&](std::uint64_t, std::string_view) {
                         ++count;
                         return true;
                       })
                  .ok());
  return count;
}

// The single live WAL file of a closed log.
std::filesystem::path WalFile(const std::string& data_dir) {
  std::vector<std::filesystem::path> wal;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir + "/log")) {
    if (entry.path().extension() == ".log" && entry.file_size() > 0) wal.push_back(entry.path());
  }
  EXPECT_EQ(wal.size(), 1u);
  return wal.empty() ? std::filesystem::path() : wal.front();
}

// A closed log of `count` events, one WAL record each.
void WriteClosedLog(const std::string& dir, int count) {
  auto log = EventLog::Open(dir, EventLogOptions{}).value();
  for (int i = 0; i < count; ++i) ASSERT_TRUE(AppendOne(*log, "f" + std::to_string(i)).ok());
}

TEST(EventLogFaults, HealthNamesTheFailureByKindUntilStorageRecovers) {
  TempDir dir;
  auto [fs, env] = FailingFileSystem::Make();
  EventLogOptions options;
  options.env = env.get();
  options.recovery_interval = std::chrono::milliseconds(0);
  auto log = EventLog::Open(dir.path(), options).value();
  ASSERT_TRUE(AppendOne(*log, "kept").ok());
  EXPECT_TRUE(log->health().writable);

  fs->SetFailing(true);
  EXPECT_EQ(AppendOne(*log, "lost").code(), ErrorCode::kUnavailable);
  StorageHealth failing = log->health();
  EXPECT_FALSE(failing.writable);
  EXPECT_NE(failing.problem.find("Input/output error"), std::string::npos) << failing.problem;
  EXPECT_GE(failing.errors[static_cast<std::size_t>(StorageErrorKind::kIo)], 1u);
  EXPECT_EQ(CountEvents(*log), 1u) << "reads go on, and never show the failed append";

  fs->SetFailing(false);
  ASSERT_TRUE(AppendOne(*log, "next").ok());
  StorageHealth recovered = log->health();
  EXPECT_TRUE(recovered.writable);
  EXPECT_FALSE(recovered.read_only);
  EXPECT_TRUE(recovered.problem.empty());
  EXPECT_EQ(log->last_sequence(), 2u) << "the failed append's sequence is reused, once";
  EXPECT_EQ(CountEvents(*log), 2u);
}

TEST(EventLogFaults, RecoveryIsTriedAtMostOncePerInterval) {
  TempDir dir;
  auto [fs, env] = FailingFileSystem::Make();
  EventLogOptions options;
  options.env = env.get();
  options.recovery_interval = std::chrono::hours(1);
  auto log = EventLog::Open(dir.path(), options).value();
  ASSERT_TRUE(AppendOne(*log, "kept").ok());
  fs->SetFailing(true);
  EXPECT_EQ(AppendOne(*log, "lost").code(), ErrorCode::kUnavailable);
  EXPECT_EQ(AppendOne(*log, "tries").code(), ErrorCode::kUnavailable);  // the one try
  fs->SetFailing(false);
  Status refused = AppendOne(*log, "waits");
  EXPECT_EQ(refused.code(), ErrorCode::kUnavailable) << "no new try within the interval";
  EXPECT_NE(refused.detail().find("still failing"), std::string::npos) << refused.detail();
  EXPECT_EQ(log->last_sequence(), 1u);
}

TEST(EventLogFaults, AWalRecordDamagedBeforeTheEndRefusesTheOpen) {
  TempDir dir;
  WriteClosedLog(dir.path(), 200);
  std::filesystem::path wal = WalFile(dir.path());
  auto size = std::filesystem::file_size(wal);
  {
    std::fstream file(wal, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(static_cast<std::streamoff>(size / 2));
    char byte = 0;
    file.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x5a);
    file.seekp(static_cast<std::streamoff>(size / 2));
    file.write(&byte, 1);
  }
  auto reopened = EventLog::Open(dir.path(), EventLogOptions{});
  ASSERT_FALSE(reopened.ok()) << "the events after the damage were acknowledged";
  EXPECT_EQ(reopened.status().code(), ErrorCode::kInternal);
  EXPECT_NE(reopened.status().detail().find("damaged"), std::string::npos)
      << reopened.status().detail();
}

TEST(EventLogFaults, ATornLastRecordIsDroppedAndTheRestOpens) {
  TempDir dir;
  WriteClosedLog(dir.path(), 50);
  std::filesystem::path wal = WalFile(dir.path());
  // A crash in the middle of the last write (never acknowledged: its sync did not return).
  std::filesystem::resize_file(wal, std::filesystem::file_size(wal) - 10);
  auto reopened = EventLog::Open(dir.path(), EventLogOptions{});
  ASSERT_TRUE(reopened.ok()) << reopened.status().detail();
  EXPECT_EQ((*reopened)->last_sequence(), 49u);
  EXPECT_EQ(CountEvents(**reopened), 49u);
}

}  // namespace
}  // namespace flagledger

// Verified, incremental backups and checked restores (projections/backup.h) on real RocksDB
// logs in temporary directories.
#include "projections/backup.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/testing/event_builders.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

namespace fs = std::filesystem;

// A log whose WAL bound is small, so that its events reach table files (which backups share).
// At 1 MiB a few thousand events make fewer table files per family than RocksDB's compaction
// trigger (4), so no compaction rewrites them between two backups.
std::unique_ptr<EventLog> OpenSmallWalLog(const std::string& data_dir) {
  EventLogOptions options;
  options.max_wal_bytes = 1 << 20;
  return EventLog::Open(data_dir, options).value();
}

int WalFiles(const std::string& data_dir) {
  int files = 0;
  for (const auto& entry : fs::directory_iterator(data_dir + "/log")) {
    files += entry.path().extension() == ".log" ? 1 : 0;
  }
  return files;
}

void AppendFlags(EventLog& log, int from, int to) {
  for (int i = from; i < to; i += 50) {
    std::vector<Event> batch;
    for (int j = i; j < std::min(to, i + 50); ++j) {
      batch.push_back(CreatedEvent("org-" + std::to_string(j % 7), "flag-" + std::to_string(j),
                                   j % 2 == 0, Time("2026-03-01T00:00:00Z")));
    }
    ASSERT_TRUE(log.Append(batch).ok());
  }
}

TEST(Backup, ABackupIsVerifiedAndRecordsTheSequenceItHolds) {
  TempDir dir;
  auto log = OpenSmallWalLog(dir.Sub("data"));
  AppendFlags(*log, 0, 3000);
  auto backup = CreateVerifiedBackup(*log, SnapshotStore(dir.Sub("data")), dir.Sub("backups"));
  ASSERT_TRUE(backup.ok()) << backup.status().detail();
  EXPECT_TRUE(backup->verified);
  EXPECT_EQ(backup->sequence, 3000u);
  EXPECT_EQ(backup->events, 3000u);
  EXPECT_FALSE(fs::exists(dir.Sub("backups") + "/.verify-1")) << "the scratch copy is gone";
  auto listed = ListBackups(dir.Sub("backups"));
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().sequence, 3000u);
  EXPECT_TRUE(listed->front().verified);
}

TEST(Backup, ALaterBackupCopiesOnlyWhatIsNew) {
  TempDir dir;
  auto log = OpenSmallWalLog(dir.Sub("data"));
  AppendFlags(*log, 0, 6000);
  // Until the flushes the WAL bound started are done, the table files are still to come (and
  // the second backup would copy them): wait until one WAL file is left.
  for (int i = 0; i < 500 && WalFiles(dir.Sub("data")) > 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  SnapshotStore snapshots(dir.Sub("data"));
  auto first = CreateVerifiedBackup(*log, snapshots, dir.Sub("backups"));
  ASSERT_TRUE(first.ok()) << first.status().detail();
  AppendFlags(*log, 6000, 6300);
  auto second = CreateVerifiedBackup(*log, snapshots, dir.Sub("backups"));
  ASSERT_TRUE(second.ok()) << second.status().detail();
  EXPECT_EQ(second->sequence, 6300u);
  EXPECT_EQ(first->new_bytes, first->bytes);
  // Table files both backups hold are stored once (a compaction between the two may still
  // rewrite some: the benchmark, not this test, says how much is copied).
  EXPECT_LT(second->new_bytes, second->bytes);
  std::uintmax_t stored = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir.Sub("backups"))) {
    if (entry.is_regular_file()) stored += entry.file_size();
  }
  EXPECT_LT(stored, first->bytes + second->bytes) << "shared files are stored once";
}

TEST(Backup, ARestoreGivesADirectoryThatVerifiesWithEveryEvent) {
  TempDir dir;
  {
    auto log = OpenSmallWalLog(dir.Sub("data"));
    AppendFlags(*log, 0, 1200);
    ASSERT_TRUE(
        CreateVerifiedBackup(*log, SnapshotStore(dir.Sub("data")), dir.Sub("backups")).ok());
  }
  auto restored = RestoreBackup(dir.Sub("backups"), 0, dir.Sub("restored"), false);
  ASSERT_TRUE(restored.ok()) << restored.status().detail();
  EXPECT_EQ(restored->sequence, 1200u);
  auto log = EventLog::Open(dir.Sub("restored"), EventLogOptions{}).value();
  EXPECT_EQ(log->last_sequence(), 1200u);
}

TEST(Backup, RestoreRefusesANonEmptyDirectoryUnlessToldToReplaceIt) {
  TempDir dir;
  {
    auto log = OpenSmallWalLog(dir.Sub("data"));
    AppendFlags(*log, 0, 100);
    ASSERT_TRUE(
        CreateVerifiedBackup(*log, SnapshotStore(dir.Sub("data")), dir.Sub("backups")).ok());
  }
  fs::create_directories(dir.Sub("target"));
  std::ofstream(dir.Sub("target") + "/keep-me") << "x";
  auto refused = RestoreBackup(dir.Sub("backups"), 0, dir.Sub("target"), false);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().detail().find("not empty"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir.Sub("target") + "/keep-me")) << "nothing changed";
  auto replaced = RestoreBackup(dir.Sub("backups"), 0, dir.Sub("target"), true);
  ASSERT_TRUE(replaced.ok()) << replaced.status().detail();
  EXPECT_FALSE(fs::exists(dir.Sub("target") + "/keep-me"));
  EXPECT_TRUE(fs::exists(dir.Sub("target") + "/log/CURRENT"));
}

TEST(Backup, RestoreRefusesADamagedBackupWithTheReasonAndChangesNothing) {
  TempDir dir;
  {
    auto log = OpenSmallWalLog(dir.Sub("data"));
    AppendFlags(*log, 0, 5000);
    ASSERT_TRUE(
        CreateVerifiedBackup(*log, SnapshotStore(dir.Sub("data")), dir.Sub("backups")).ok());
  }
  // One byte of the largest table file in the backup flips.
  fs::path largest;
  for (const auto& entry : fs::directory_iterator(dir.Sub("backups") + "/shared_checksum")) {
    if (largest.empty() || entry.file_size() > fs::file_size(largest)) largest = entry.path();
  }
  ASSERT_FALSE(largest.empty());
  {
    std::fstream file(largest, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(100);
    file.put('\x7f');
  }
  auto refused = RestoreBackup(dir.Sub("backups"), 0, dir.Sub("restored"), false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kInternal);
  EXPECT_NE(refused.status().detail().find("damaged"), std::string::npos)
      << refused.status().detail();
  EXPECT_FALSE(fs::exists(dir.Sub("restored")));
  EXPECT_FALSE(fs::exists(dir.Sub("restored") + ".restoring"));
}

}  // namespace
}  // namespace flagledger

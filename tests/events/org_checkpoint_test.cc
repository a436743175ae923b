// The organizations' checkpoints (events/org_checkpoint.h): what EventLog::LiveFlagsAt answers
// at every point equals a replay of the log, across checkpoints, reopens, upgrades and
// tampering.
#include "events/org_checkpoint.h"

#include <gtest/gtest.h>

#include <random>

#include "events/event_log.h"
#include "events/log_keys.h"
#include "tests/testing/event_builders.h"
#include "tests/testing/failing_file_system.h"
#include "tests/testing/raw_log.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

using Live = std::map<std::string, std::uint64_t, std::less<>>;

TEST(OrgCheckpoint, EncodesAndDecodesAndRefusesOtherShapes) {
  OrgCheckpoint checkpoint;
  checkpoint.Apply("beta", 3, true);
  checkpoint.Apply("alpha", 5, true);
  checkpoint.Apply("gamma", 6, true);
  checkpoint.Apply("gamma", 9, false);
  checkpoint.Apply("beta", 12, true);
  EXPECT_EQ(checkpoint.sequence, 12u);
  EXPECT_EQ(checkpoint.live, (Live{{"alpha", 5}, {"beta", 12}}));
  OrgCheckpoint decoded;
  ASSERT_TRUE(DecodeOrgCheckpoint(EncodeOrgCheckpoint(checkpoint), decoded));
  EXPECT_EQ(decoded.live, checkpoint.live);
  EXPECT_TRUE(DecodeOrgCheckpoint("", decoded));
  EXPECT_TRUE(decoded.live.empty());
  std::string value = EncodeOrgCheckpoint(checkpoint);
  EXPECT_FALSE(DecodeOrgCheckpoint(value.substr(0, value.size() - 1), decoded)) << "cut short";
  EXPECT_FALSE(DecodeOrgCheckpoint(value.substr(value.find('\0') + 9) + value, decoded))
      << "keys out of order";
  EXPECT_FALSE(DecodeOrgCheckpoint(std::string(1, '\0') + std::string(8, 'x'), decoded))
      << "an empty key";
}

TEST(OrgCheckpoint, TheIntervalGrowsWithTheOrganization) {
  EXPECT_EQ(CheckpointInterval(0), 256u);
  EXPECT_EQ(CheckpointInterval(256), 256u);
  EXPECT_EQ(CheckpointInterval(5000), 5000u);
}

// A random history of flag and token events in three organizations (one with more live flags
// than the smallest interval), appended in batches of random size, with the log reopened
// now and then; every appended event is kept to replay.
class CheckpointedLog : public ::testing::Test {
 protected:
  static constexpr const char* kOrganizations[] = {"org-a", "org-b", "org-c"};

  void SetUp() override { Open(); }
  void Open() {
    log_.reset();
    log_ = EventLog::Open(dir_.path(), EventLogOptions{}).value();
  }

  void AppendRandomHistory(std::size_t events, std::uint32_t seed) {
    std::mt19937 random(seed);
    while (events > 0) {
      std::size_t size = std::min<std::size_t>(events, 1 + random() % 40);
      std::vector<Event> batch;
      for (std::size_t i = 0; i < size; ++i) batch.push_back(RandomEvent(random));
      ASSERT_TRUE(log_->Append(batch).ok());
      for (Event& event : batch) appended_.push_back(std::move(event));
      events -= size;
      if (random() % 8 == 0) Open();  // the writer's cursors load again
    }
  }

  // The organization's live keys right after `sequence`, by replaying every appended event.
  Live Replay(std::string_view organization_id, std::uint64_t sequence) const {
    OrgCheckpoint state;
    for (const Event& event : appended_) {
      if (event.sequence > sequence) break;
      if (event.organization_id == organization_id && !IsTokenEvent(event.type)) {
        state.Apply(event.flag_key, event.sequence, event.flag.has_value());
      }
    }
    return state.live;
  }

  // Every 7th point of every organization, against one replay that moves along with them.
  void ExpectEveryPointEqualsTheReplay(const EventLog& log) {
    for (const char* organization_id : kOrganizations) {
      OrgCheckpoint replayed;
      std::size_t next = 0;  // appended_[next] is the first event not yet replayed
      for (std::uint64_t sequence = 0; sequence <= appended_.size() + 2; sequence += 7) {
        for (; next < appended_.size() && appended_[next].sequence <= sequence; ++next) {
          const Event& event = appended_[next];
          if (event.organization_id == organization_id && !IsTokenEvent(event.type)) {
            replayed.Apply(event.flag_key, event.sequence, event.flag.has_value());
          }
        }
        auto live = log.LiveFlagsAt(organization_id, sequence);
        ASSERT_TRUE(live.ok()) << live.status().detail();
        ASSERT_EQ(live->live, replayed.live) << organization_id << " at " << sequence;
      }
    }
  }

  std::vector<std::string> Problems(const EventLog& log) {
    std::vector<std::string> problems;
    EXPECT_TRUE(
        log.CheckIntegrity([&](const std::string& text) { problems.push_back(text); }).ok());
    return problems;
  }

  TempDir dir_;
  std::unique_ptr<EventLog> log_;
  std::vector<Event> appended_;

 private:
  Event RandomEvent(std::mt19937& random) {
    Timestamp at = Time("2026-01-01T00:00:00Z");
    if (random() % 50 == 0) {
      return SampleEventOf(EventType::kTokenCreated, "org-a", "tok-" + std::to_string(random()),
                           at);
    }
    std::size_t organization = random() % 3;
    std::string organization_id = kOrganizations[organization];
    std::size_t keys = organization == 1 ? 400 : 20;
    std::string key = "flag-" + std::to_string(random() % keys);
    bool& live = live_[organization_id + '/' + key];
    Event event = live && random() % 4 == 0 ? DeletedEvent(organization_id, key, at)
                                            : CreatedEvent(organization_id, key, true, at);
    if (live && event.flag) event.type = EventType::kFlagUpdated;
    live = event.flag.has_value();
    return event;
  }

  std::map<std::string, bool> live_;
};

TEST_F(CheckpointedLog, EveryPointEqualsAReplayOfTheLog) {
  AppendRandomHistory(3000, 1);
  ExpectEveryPointEqualsTheReplay(*log_);
  log_.reset();
  // Each checkpoint comes once its organization has had an interval's events since the one
  // before (CheckpointInterval of that one's live flags), at the end of the batch (<= 40
  // events) that reached it.
  std::map<std::string, OrgCheckpoint> previous;
  for (const auto& [key, value] : RawLog(dir_.path()).Entries("org_checkpoints")) {
    std::string organization_id = key.substr(0, key.size() - 9);
    OrgCheckpoint& before = previous[organization_id];
    OrgCheckpoint checkpoint;
    checkpoint.sequence = internal::ReadBigEndian(key.substr(key.size() - 8));
    ASSERT_TRUE(DecodeOrgCheckpoint(value, checkpoint));
    EXPECT_EQ(checkpoint.live, Replay(organization_id, checkpoint.sequence));
    std::size_t events = 0;
    for (const Event& event : appended_) {
      events += event.organization_id == organization_id && !IsTokenEvent(event.type) &&
                event.sequence > before.sequence && event.sequence <= checkpoint.sequence;
    }
    std::size_t interval = CheckpointInterval(before.live.size());
    EXPECT_GE(events, interval) << key;
    EXPECT_LT(events, interval + 40) << key;
    before = checkpoint;
  }
  EXPECT_EQ(previous.size(), 3u) << "every organization has had its first interval";
  EXPECT_GT(CheckpointInterval(previous["org-b"].live.size()), 256u)
      << "org-b's interval grows with its flags";
  Open();
  EXPECT_TRUE(Problems(*log_).empty());
}

TEST_F(CheckpointedLog, AFailedAppendLeavesNoCheckpointBehind) {
  auto [fs, env] = FailingFileSystem::Make();
  EventLogOptions failing;
  failing.env = env.get();
  failing.recovery_interval = std::chrono::milliseconds(0);
  log_.reset();
  log_ = EventLog::Open(dir_.path(), failing).value();
  // 300 events of org-c: the batch that fails carries its first checkpoint.
  Timestamp at = Time("2026-01-01T00:00:00Z");
  std::vector<Event> batch;
  for (int i = 0; i < 300; ++i)
    batch.push_back(CreatedEvent("org-c", "c" + std::to_string(i), true, at));
  fs->SetFailing(true);
  EXPECT_EQ(log_->Append(batch).code(), ErrorCode::kUnavailable);
  fs->SetFailing(false);
  std::vector<Event> next = {CreatedEvent("org-a", "a", true, at)};
  ASSERT_TRUE(log_->Append(next).ok()) << "recovers, undoing the failed batch";
  log_.reset();
  EXPECT_TRUE(RawLog(dir_.path()).Entries("org_checkpoints").empty());
  Open();
  appended_.push_back(next[0]);
  AppendRandomHistory(600, 3);
  ExpectEveryPointEqualsTheReplay(*log_);
  EXPECT_TRUE(Problems(*log_).empty());
}

TEST_F(CheckpointedLog, VerifyFindsACheckpointThatDoesNotMatchTheLog) {
  AppendRandomHistory(1500, 4);
  log_.reset();
  {
    RawLog raw(dir_.path());
    auto checkpoints = raw.Entries("org_checkpoints");
    ASSERT_FALSE(checkpoints.empty());
    OrgCheckpoint altered;
    ASSERT_TRUE(DecodeOrgCheckpoint(checkpoints.front().second, altered));
    altered.live.erase(altered.live.begin());
    raw.Put("org_checkpoints", checkpoints.front().first, EncodeOrgCheckpoint(altered));
  }
  Open();
  auto problems = Problems(*log_);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("org_checkpoints entry for event"), std::string::npos) << problems[0];
}

TEST_F(CheckpointedLog, TheUpgradeToSchema5CheckpointsAnOlderLog) {
  AppendRandomHistory(2000, 5);
  log_.reset();
  {  // As schema 4 stored it: no checkpoints, no values in the organization index.
    RawLog raw(dir_.path());
    for (const auto& [key, value] : raw.Entries("org_checkpoints")) {
      raw.Delete("org_checkpoints", key);
    }
    for (const auto& [key, value] : raw.Entries("org_events")) raw.Put("org_events", key, "");
    for (const auto& [key, value] : raw.Entries("batches")) raw.Delete("batches", key);
    raw.Put("default", "schema_version", "4");
  }
  EventLogOptions reading;
  reading.secondary = true;
  ExpectEveryPointEqualsTheReplay(*EventLog::Open(dir_.path(), reading).value());

  std::vector<std::string> steps;
  EventLogOptions options;
  options.on_upgrade = [&](const std::string& step) { steps.push_back(step); };
  log_ = EventLog::Open(dir_.path(), options).value();
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_NE(steps[0].find("from schema 4 to 5"), std::string::npos) << steps[0];
  ExpectEveryPointEqualsTheReplay(*log_);
  EXPECT_TRUE(Problems(*log_).empty());
  log_.reset();
  EXPECT_FALSE(RawLog(dir_.path()).Entries("org_checkpoints").empty());
  Open();
  AppendRandomHistory(500, 6);
  ExpectEveryPointEqualsTheReplay(*log_);
}

}  // namespace
}  // namespace flagledger

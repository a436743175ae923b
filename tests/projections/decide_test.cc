#include "projections/decide.h"

#include <gtest/gtest.h>

#include "tests/testing/event_builders.h"

namespace flagledger {
namespace {

const CommandContext kContext{"alice", "req-1"};

Command MakeCommand(decltype(Command::action) action) {
  return Command{"org-a", "beta", std::move(action)};
}

Flag ExistingFlag() {
  Flag flag;
  flag.organization_id = "org-a";
  flag.flag_key = "beta";
  flag.enabled = false;
  flag.rollout_condition = RolloutCondition{Version("2.0.0"), std::nullopt};
  flag.created_at = flag.updated_at = Time("2026-01-01T00:00:00Z");
  return flag;
}

TEST(Decide, CreateBuildsTheFlagAndListsChangesFromNull) {
  Timestamp now = Time("2026-02-01T10:00:00.5Z");
  auto event = Decide(MakeCommand(CreateFlag{true, RolloutCondition{}}), nullptr, 0, now, kContext);
  ASSERT_TRUE(event.ok());
  ASSERT_TRUE(event->has_value());
  const Event& created = **event;
  EXPECT_EQ(created.type, EventType::kFlagCreated);
  EXPECT_EQ(created.actor, "alice");
  EXPECT_EQ(created.request_id, "req-1");
  EXPECT_EQ(created.recorded_at, now);
  EXPECT_EQ(created.changes.enabled, (EnabledChange{std::nullopt, true}));
  EXPECT_EQ(created.changes.rollout_condition, (RolloutChange{std::nullopt, std::nullopt}));
  ASSERT_TRUE(created.flag);
  EXPECT_FALSE(created.flag->rollout_condition) << "an empty condition is stored as null";
  EXPECT_EQ(created.flag->created_at, Time("2026-02-01T10:00:00Z"));
  EXPECT_EQ(created.flag->updated_at, created.flag->created_at);
}

TEST(Decide, CreateOfAnExistingKeyIsFlagExists) {
  Flag current = ExistingFlag();
  auto event =
      Decide(MakeCommand(CreateFlag{}), &current, 4, Time("2026-02-01T00:00:00Z"), kContext);
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.status().code(), ErrorCode::kFlagExists);
}

TEST(Decide, WritesToAMissingFlagAreFlagNotFound) {
  for (auto action : {decltype(Command::action)(UpdateFlag{true, std::nullopt}),
                      decltype(Command::action)(PatchRollout{std::nullopt, std::nullopt}),
                      decltype(Command::action)(DeleteFlag{})}) {
    auto event = Decide(MakeCommand(action), nullptr, 0, Time("2026-02-01T00:00:00Z"), kContext);
    ASSERT_FALSE(event.ok());
    EXPECT_EQ(event.status().code(), ErrorCode::kFlagNotFound);
    EXPECT_EQ(event.status().detail(), "flag 'beta' does not exist in organization 'org-a'");
  }
}

TEST(Decide, UpdateRecordsOnlyWhatChanged) {
  Flag current = ExistingFlag();
  Timestamp now = Time("2026-02-01T00:00:00Z");
  auto event = Decide(MakeCommand(UpdateFlag{true, std::nullopt}), &current, 4, now, kContext);
  ASSERT_TRUE(event.ok() && event->has_value());
  EXPECT_EQ((*event)->type, EventType::kFlagUpdated);
  EXPECT_EQ((*event)->changes.enabled, (EnabledChange{false, true}));
  EXPECT_FALSE((*event)->changes.rollout_condition);
  EXPECT_EQ((*event)->flag->rollout_condition, current.rollout_condition);
  EXPECT_EQ((*event)->flag->updated_at, now);
  EXPECT_EQ((*event)->flag->created_at, current.created_at);
}

TEST(Decide, UpdateWithNullConditionClearsIt) {
  Flag current = ExistingFlag();
  auto event = Decide(MakeCommand(UpdateFlag{std::nullopt, std::optional<RolloutCondition>()}),
                      &current, 4, Time("2026-02-01T00:00:00Z"), kContext);
  ASSERT_TRUE(event.ok() && event->has_value());
  EXPECT_EQ((*event)->changes.rollout_condition,
            (RolloutChange{current.rollout_condition, std::nullopt}));
  EXPECT_FALSE((*event)->flag->rollout_condition);
}

TEST(Decide, AWriteThatChangesNothingHasNoEvent) {
  Flag current = ExistingFlag();
  Timestamp now = Time("2026-02-01T00:00:00Z");
  auto same =
      Decide(MakeCommand(UpdateFlag{false, current.rollout_condition}), &current, 4, now, kContext);
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->has_value());
  auto same_patch =
      Decide(MakeCommand(PatchRollout{std::optional<SemVer>(Version("2.0.0")), std::nullopt}),
             &current, 4, now, kContext);
  ASSERT_TRUE(same_patch.ok());
  EXPECT_FALSE(same_patch->has_value());
}

TEST(Decide, PatchMergesIntoTheCondition) {
  Flag current = ExistingFlag();
  Timestamp date = Time("2026-05-15T00:00:00Z");
  auto event = Decide(MakeCommand(PatchRollout{std::nullopt, std::optional<Timestamp>(date)}),
                      &current, 4, Time("2026-02-01T00:00:00Z"), kContext);
  ASSERT_TRUE(event.ok() && event->has_value());
  EXPECT_EQ((*event)->type, EventType::kFlagRolloutUpdated);
  EXPECT_EQ((*event)->flag->rollout_condition, (RolloutCondition{Version("2.0.0"), date}));
  EXPECT_FALSE((*event)->changes.enabled);
}

TEST(Decide, PatchThatNullsEveryMemberLeavesNoCondition) {
  Flag current = ExistingFlag();
  auto event = Decide(MakeCommand(PatchRollout{std::optional<SemVer>(), std::nullopt}), &current, 4,
                      Time("2026-02-01T00:00:00Z"), kContext);
  ASSERT_TRUE(event.ok() && event->has_value());
  EXPECT_FALSE((*event)->flag->rollout_condition);
  EXPECT_EQ((*event)->changes.rollout_condition->to, std::nullopt);
}

TEST(Decide, PatchOnAFlagWithoutConditionStartsFromNulls) {
  Flag current = ExistingFlag();
  current.rollout_condition.reset();
  auto event =
      Decide(MakeCommand(PatchRollout{std::optional<SemVer>(Version("1.2.3")), std::nullopt}),
             &current, 4, Time("2026-02-01T00:00:00Z"), kContext);
  ASSERT_TRUE(event.ok() && event->has_value());
  EXPECT_EQ((*event)->flag->rollout_condition, (RolloutCondition{Version("1.2.3"), std::nullopt}));
}

TEST(Decide, TheEventTakesTheStreamsNextVersion) {
  Flag current = ExistingFlag();
  auto updated = Decide(MakeCommand(UpdateFlag{true, std::nullopt}), &current, 4,
                        Time("2026-02-01T00:00:00Z"), kContext);
  EXPECT_EQ((*updated)->version, 5u);
  auto recreated =
      Decide(MakeCommand(CreateFlag{}), nullptr, 7, Time("2026-02-01T00:00:00Z"), kContext);
  EXPECT_EQ((*recreated)->version, 8u) << "a re-created key continues its stream";
}

TEST(Decide, IfMatchAcceptsOnlyTheCurrentVersion) {
  Flag current = ExistingFlag();
  Command command = MakeCommand(UpdateFlag{true, std::nullopt});
  command.if_match = VersionPrecondition{false, {3, 5}};
  auto stale = Decide(command, &current, 4, Time("2026-02-01T00:00:00Z"), kContext);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), ErrorCode::kPreconditionFailed);
  command.if_match = VersionPrecondition{false, {4}};
  EXPECT_TRUE(Decide(command, &current, 4, Time("2026-02-01T00:00:00Z"), kContext).ok());
  command.if_match = VersionPrecondition{true, {}};
  EXPECT_TRUE(Decide(command, &current, 4, Time("2026-02-01T00:00:00Z"), kContext).ok());
}

TEST(Decide, IfMatchOnAMissingFlagIsStillNotFound) {
  Command command = MakeCommand(DeleteFlag{});
  command.if_match = VersionPrecondition{true, {}};
  auto result = Decide(command, nullptr, 2, Time("2026-02-01T00:00:00Z"), kContext);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kFlagNotFound);
}

TEST(Decide, DeleteHasNoChangesAndNoFlag) {
  Flag current = ExistingFlag();
  auto event =
      Decide(MakeCommand(DeleteFlag{}), &current, 4, Time("2026-02-01T00:00:00Z"), kContext);
  ASSERT_TRUE(event.ok() && event->has_value());
  EXPECT_EQ((*event)->type, EventType::kFlagDeleted);
  EXPECT_EQ((*event)->changes, EventChanges{});
  EXPECT_FALSE((*event)->flag);
}

}  // namespace
}  // namespace flagledger

namespace flagledger {
namespace {

Command RevertTo(const Flag* target) {
  return MakeCommand(
      RevertFlag{RevertPoint{7, Time("2026-01-02T00:00:00Z")},
                 target ? MakeFlagRecord(*target, 3) : std::shared_ptr<const FlagRecord>()});
}

TEST(DecideRevert, PutsBackEnabledAndRolloutAsAnUpdateWouldListThem) {
  Flag then = ExistingFlag();
  Flag now = ExistingFlag();
  now.enabled = true;
  now.updated_at = Time("2026-01-05T00:00:00Z");
  Timestamp at = Time("2026-02-01T10:00:00.5Z");
  auto event = Decide(RevertTo(&then), &now, 5, at, kContext);
  ASSERT_TRUE(event.ok() && event->has_value());
  EXPECT_EQ((*event)->type, EventType::kFlagReverted);
  EXPECT_EQ((*event)->version, 6u);
  EXPECT_EQ((*event)->reverted_to, (RevertPoint{7, Time("2026-01-02T00:00:00Z")}));
  EXPECT_EQ((*event)->changes.enabled, (EnabledChange{true, false}));
  EXPECT_FALSE((*event)->changes.rollout_condition) << "only what differs is listed";
  EXPECT_EQ((*event)->flag->enabled, false);
  EXPECT_EQ((*event)->flag->created_at, then.created_at);
  EXPECT_EQ((*event)->flag->updated_at, Time("2026-02-01T10:00:00Z"));
}

TEST(DecideRevert, ToAMomentWithoutTheFlagDeletesIt) {
  Flag now = ExistingFlag();
  auto event = Decide(RevertTo(nullptr), &now, 5, Time("2026-02-01T00:00:00Z"), kContext);
  ASSERT_TRUE(event.ok() && event->has_value());
  EXPECT_EQ((*event)->type, EventType::kFlagReverted);
  EXPECT_FALSE((*event)->flag);
  EXPECT_EQ((*event)->previous, now);
  EXPECT_EQ((*event)->changes, EventChanges{});
}

TEST(DecideRevert, ADeletedFlagComesBackWithItsCreatedAt) {
  Flag then = ExistingFlag();
  auto event = Decide(RevertTo(&then), nullptr, 6, Time("2026-02-01T00:00:00Z"), kContext);
  ASSERT_TRUE(event.ok() && event->has_value());
  EXPECT_EQ((*event)->version, 7u) << "the key's stream goes on";
  EXPECT_EQ((*event)->flag->created_at, then.created_at);
  EXPECT_EQ((*event)->changes.enabled, (EnabledChange{std::nullopt, false}));
  EXPECT_EQ((*event)->changes.rollout_condition,
            (RolloutChange{std::nullopt, then.rollout_condition}));
}

TEST(DecideRevert, AcrossARecreateItRestoresTheOlderCreatedAtEvenWhenNothingElseDiffers) {
  Flag then = ExistingFlag();
  Flag now = ExistingFlag();
  now.created_at = now.updated_at = Time("2026-01-20T00:00:00Z");
  auto event = Decide(RevertTo(&then), &now, 9, Time("2026-02-01T00:00:00Z"), kContext);
  ASSERT_TRUE(event.ok() && event->has_value());
  EXPECT_EQ((*event)->flag->created_at, then.created_at);
  EXPECT_EQ((*event)->changes, EventChanges{});
}

TEST(DecideRevert, ThatChangesNothingIsNoEvent) {
  Flag then = ExistingFlag();
  Flag now = ExistingFlag();
  now.updated_at = Time("2026-01-09T00:00:00Z");  // touched and changed back since
  auto same = Decide(RevertTo(&then), &now, 5, Time("2026-02-01T00:00:00Z"), kContext);
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->has_value());
  auto absent = Decide(RevertTo(nullptr), nullptr, 5, Time("2026-02-01T00:00:00Z"), kContext);
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value()) << "deleted then and now";
}

TEST(DecideRevert, AKeyThatNeverHadAFlagIsNotFound) {
  Flag then = ExistingFlag();
  auto event = Decide(RevertTo(&then), nullptr, 0, Time("2026-02-01T00:00:00Z"), kContext);
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.status().code(), ErrorCode::kFlagNotFound);
}

TEST(DecideRevert, IfMatchNamesTheStreamVersionAlsoOfADeletedFlag) {
  Flag then = ExistingFlag();
  Flag now = ExistingFlag();
  now.enabled = true;
  auto decide = [&](const Flag* current, std::uint64_t version, VersionPrecondition match) {
    Command command = RevertTo(&then);
    command.if_match = match;
    return Decide(command, current, version, Time("2026-02-01T00:00:00Z"), kContext);
  };
  EXPECT_TRUE(decide(&now, 5, {false, {5}}).ok());
  EXPECT_EQ(decide(&now, 5, {false, {4}}).status().code(), ErrorCode::kPreconditionFailed);
  EXPECT_TRUE(decide(nullptr, 6, {false, {6}}).ok());
  EXPECT_EQ(decide(nullptr, 6, {true, {}}).status().code(), ErrorCode::kPreconditionFailed)
      << "'*' asks for a flag that exists now";
}

TEST(DecideRevert, ARestoreIsNotDecidedAsOneFlag) {
  auto event = Decide(MakeCommand(RestoreOrganization{}), nullptr, 0, Time("2026-02-01T00:00:00Z"),
                      kContext);
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.status().code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace flagledger

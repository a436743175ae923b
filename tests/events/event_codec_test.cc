#include "events/event_codec.h"

#include <gtest/gtest.h>

#include "tests/testing/event_builders.h"

namespace flagledger {
namespace {

Event SampleUpdate() {
  Event event = CreatedEvent("org-a", "beta", true, Time("2026-03-26T11:05:00.123456Z"));
  event.type = EventType::kFlagUpdated;
  event.sequence = 42;
  event.version = 3;
  event.request_id = "7f9c";
  event.changes.enabled = EnabledChange{false, true};
  event.changes.rollout_condition =
      RolloutChange{std::nullopt, RolloutCondition{Version("2.4.0-rc.1"), std::nullopt}};
  event.flag->rollout_condition = event.changes.rollout_condition->to;
  return event;
}

TEST(EventCodec, EncodesMembersInContractOrder) {
  Event event = SampleUpdate();
  event.changes.rollout_condition.reset();
  event.flag->rollout_condition.reset();
  EXPECT_EQ(EncodeEvent(event),
            R"({"sequence":42,"type":"flag.updated","organization_id":"org-a","flag_key":"beta",)"
            R"("version":3,"recorded_at":"2026-03-26T11:05:00.123456Z","actor":"anonymous",)"
            R"("request_id":"7f9c","changes":{"enabled":{"from":false,"to":true}},)"
            R"("flag":{"flag_key":"beta","enabled":true,"organization_id":"org-a",)"
            R"("rollout_condition":null,"created_at":"2026-03-26T11:05:00Z",)"
            R"("updated_at":"2026-03-26T11:05:00Z"}})");
}

TEST(EventCodec, EncodesCreatedChangesFromNull) {
  Event event = CreatedEvent("org-a", "beta", false, Time("2026-03-26T11:05:00Z"));
  std::string json = EncodeEvent(event);
  EXPECT_NE(json.find(R"("changes":{"enabled":{"from":null,"to":false},)"
                      R"("rollout_condition":{"from":null,"to":null}})"),
            std::string::npos)
      << json;
}

TEST(EventCodec, EncodesDeletedWithEmptyChangesAndNullFlag) {
  Event event = DeletedEvent("org-a", "beta", Time("2026-03-26T11:05:00Z"));
  std::string json = EncodeEvent(event);
  EXPECT_NE(json.find(R"("changes":{},"flag":null})"), std::string::npos) << json;
}

TEST(EventCodec, RoundTripsEveryEventType) {
  EventDecoder decoder;
  Event created = CreatedEvent("org-a", "beta", true, Time("2026-03-26T11:05:00Z"));
  Event updated = SampleUpdate();
  Event patched = SampleUpdate();
  patched.type = EventType::kFlagRolloutUpdated;
  patched.changes.enabled.reset();
  patched.changes.rollout_condition =
      RolloutChange{RolloutCondition{Version("1.0.0"), Time("2026-01-01T00:00:00Z")},
                    RolloutCondition{std::nullopt, Time("2026-01-01T00:00:00Z")}};
  patched.flag->rollout_condition = patched.changes.rollout_condition->to;
  Event deleted = DeletedEvent("org-a", "beta", Time("2026-03-26T11:05:00Z"));
  for (const Event& event : {created, updated, patched, deleted}) {
    auto decoded = decoder.Decode(EncodeEvent(event));
    ASSERT_TRUE(decoded.ok()) << decoded.status().detail();
    EXPECT_EQ(*decoded, event) << EncodeEvent(event);
  }
}

TEST(EventType, EveryNameParsesBackToItsType) {
  for (const EventTypeInfo& info : kEventTypes) {
    EXPECT_EQ(ParseEventType(info.name), info.type) << info.name;
    EXPECT_EQ(EventTypeName(info.type), info.name);
  }
  EXPECT_EQ(ParseEventType("flag.archived"), std::nullopt);
  EXPECT_EQ(ParseEventType(""), std::nullopt);
}

TEST(EventCodec, RoundTripsASampleOfEveryTypeInTheList) {
  EventDecoder decoder;
  for (const EventTypeInfo& info : kEventTypes) {
    Event event = SampleEventOf(info.type, "org-a", "beta", Time("2026-03-26T11:05:00Z"));
    event.sequence = 7;
    event.version = 3;
    ASSERT_EQ(event.type, info.type);
    std::string json = EncodeEvent(event);
    auto decoded = decoder.Decode(json);
    ASSERT_TRUE(decoded.ok()) << info.name << ": " << decoded.status().detail() << "\n" << json;
    EXPECT_EQ(*decoded, event) << json;
  }
}

// A revert that deletes carries `previous`, the point and a restore id, then every optional
// member after them: each must be found, in order, whichever of the others is absent.
TEST(EventCodec, RoundTripsRevertsWithEveryCombinationOfOptionalMembers) {
  EventDecoder decoder;
  Event deleting = DeletedEvent("org-a", "beta", Time("2026-03-26T11:05:00Z"));
  deleting.type = EventType::kFlagReverted;
  deleting.previous = CreatedEvent("org-a", "beta", true, Time("2026-03-20T08:00:00Z")).flag;
  Event recreating = CreatedEvent("org-a", "beta", true, Time("2026-03-26T11:05:00Z"));
  recreating.type = EventType::kFlagReverted;
  recreating.flag->created_at = Time("2026-03-20T08:00:00Z");
  for (Event event : {deleting, recreating}) {
    for (int mask = 0; mask < 16; ++mask) {
      event.reverted_to = RevertPoint{9, std::nullopt};
      if (mask & 1) event.reverted_to->as_of = Time("2026-03-21T00:00:00.5Z");
      event.restore_id = mask & 2 ? "rst_0123456789abcdef" : "";
      event.actor_token_id = mask & 4 ? "tok_1" : "";
      event.reason = mask & 8 ? R"(back to "Friday")" : "";
      std::string json = EncodeEvent(event);
      auto decoded = decoder.Decode(json);
      ASSERT_TRUE(decoded.ok()) << decoded.status().detail() << "\n" << json;
      EXPECT_EQ(*decoded, event) << json;
    }
  }
  EXPECT_NE(EncodeEvent(deleting).find(R"("flag":null,"previous":{"flag_key":"beta")"),
            std::string::npos);
}

TEST(EventCodec, EncodesTheRevertPointAfterTheFlag) {
  Event event =
      SampleEventOf(EventType::kFlagReverted, "org-a", "beta", Time("2026-03-26T11:05:00.123456Z"));
  event.restore_id = "rst_1";
  std::string json = EncodeEvent(event);
  EXPECT_TRUE(
      json.ends_with(R"("updated_at":"2026-03-26T11:05:00Z"},)"
                     R"("reverted_to":{"to_event":1,"as_of":"2026-03-26T11:05:00.123456Z"},)"
                     R"("restore_id":"rst_1"})"))
      << json;
}

TEST(EventCodec, EscapedStringsRoundTrip) {
  EventDecoder decoder;
  Event event = CreatedEvent("org-a", "beta", true, Time("2026-03-26T11:05:00Z"));
  event.request_id = "quote\" backslash\\ tab\t";
  auto decoded = decoder.Decode(EncodeEvent(event));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->request_id, event.request_id);
}

TEST(EventCodec, RejectsDamagedEvents) {
  EventDecoder decoder;
  std::string good = EncodeEvent(SampleUpdate());
  for (std::string bad : {std::string(""), std::string("[]"), good.substr(0, good.size() / 2),
                          std::string(R"({"sequence":"x"})"),
                          std::string(R"({"sequence":1,"type":"flag.exploded"})")}) {
    auto decoded = decoder.Decode(bad);
    EXPECT_FALSE(decoded.ok()) << bad;
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.status().code(), ErrorCode::kInternal);
    }
  }
  // The decoder is reusable after a failure.
  EXPECT_TRUE(decoder.Decode(good).ok());
}

}  // namespace
}  // namespace flagledger

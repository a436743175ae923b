// Small builders of valid domain values for unit tests.
#pragma once

#include <string>

#include "core/flag.h"
#include "events/event.h"

namespace flagledger {

inline SemVer Version(const std::string& text) { return SemVer::Parse(text).value(); }
inline Timestamp Time(const std::string& rfc3339) { return ParseRfc3339(rfc3339).value().time; }

// An event of `type` for org/key at `at` without changes; sequence and version unassigned.
inline Event BareEvent(EventType type, const std::string& org, const std::string& key,
                       Timestamp at) {
  Event event;
  event.type = type;
  event.organization_id = org;
  event.flag_key = key;
  event.recorded_at = at;
  event.actor = "anonymous";
  event.request_id = "req-" + std::string(EventTypeName(type)) + "-" + key;
  return event;
}

inline Event CreatedEvent(const std::string& org, const std::string& key, bool enabled,
                          Timestamp at) {
  Event event = BareEvent(EventType::kFlagCreated, org, key, at);
  event.changes.enabled = EnabledChange{std::nullopt, enabled};
  event.changes.rollout_condition = RolloutChange{};
  Flag flag;
  flag.organization_id = org;
  flag.flag_key = key;
  flag.enabled = enabled;
  flag.created_at = flag.updated_at = at.FloorToSecond();
  event.flag = flag;
  return event;
}

inline Event DeletedEvent(const std::string& org, const std::string& key, Timestamp at) {
  return BareEvent(EventType::kFlagDeleted, org, key, at);
}

// A valid event of every type, as Decide makes them: the switch has no default, so a new event
// type does not compile until it has a sample here, and every test that walks kEventTypes
// (codec, log, fold) covers it.
inline Event SampleEventOf(EventType type, const std::string& org, const std::string& key,
                           Timestamp at) {
  auto with_flag = [&](EventType changed_type) {
    Event event = CreatedEvent(org, key, true, at);
    event.type = changed_type;
    event.changes = {};
    return event;
  };
  auto token = [&](EventType token_type) {
    Event event = BareEvent(token_type, std::string(kSystemStream), key, at);
    event.token = TokenFacts{"deployer", org, Role::kWrite, std::string(64, 'a')};
    return event;
  };
  switch (type) {
    case EventType::kFlagCreated:
      return CreatedEvent(org, key, true, at);
    case EventType::kFlagUpdated: {
      Event event = with_flag(type);
      event.changes.enabled = EnabledChange{false, true};
      return event;
    }
    case EventType::kFlagRolloutUpdated: {
      Event event = with_flag(type);
      event.flag->rollout_condition = RolloutCondition{Version("2.0.0"), std::nullopt};
      event.changes.rollout_condition = RolloutChange{std::nullopt, event.flag->rollout_condition};
      return event;
    }
    case EventType::kFlagDeleted:
      return DeletedEvent(org, key, at);
    case EventType::kTokenCreated:
    case EventType::kTokenRevoked:
      return token(type);
    case EventType::kFlagReverted: {
      Event event = with_flag(type);
      event.changes.enabled = EnabledChange{false, true};
      event.reverted_to = RevertPoint{1, at};
      return event;
    }
  }
  return BareEvent(type, org, key, at);
}

}  // namespace flagledger

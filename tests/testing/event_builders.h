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

}  // namespace flagledger

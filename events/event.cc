#include "events/event.h"

namespace flagledger {

std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EventType::kFlagCreated:
      return "flag.created";
    case EventType::kFlagUpdated:
      return "flag.updated";
    case EventType::kFlagRolloutUpdated:
      return "flag.rollout_updated";
    case EventType::kFlagDeleted:
      return "flag.deleted";
    case EventType::kTokenCreated:
      return "token.created";
    case EventType::kTokenRevoked:
      return "token.revoked";
  }
  return "flag.updated";
}

std::optional<EventType> ParseEventType(std::string_view name) {
  for (EventType type :
       {EventType::kFlagCreated, EventType::kFlagUpdated, EventType::kFlagRolloutUpdated,
        EventType::kFlagDeleted, EventType::kTokenCreated, EventType::kTokenRevoked}) {
    if (EventTypeName(type) == name) return type;
  }
  return std::nullopt;
}

}  // namespace flagledger

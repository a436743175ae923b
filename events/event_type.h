// The types of event the log holds, from one list: the enum, the names the contract and the
// stored events use, what each type is about, and their count are all generated from
// FLAGLEDGER_EVENT_TYPES, so a type added there reaches every table at once. Code that treats
// types differently switches over EventType without a default (built with -Werror=switch), so
// the compiler names each place a new type must be handled.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace flagledger {

// What an event is about: a flag, in its stream (organization id, flag key), or an API token,
// in the system stream (organization kSystemStream, keyed by token id).
enum class EventSubject : std::uint8_t { kFlag, kToken };

// X(enumerator, name, subject), in the order of the enum (never reorder: the enum's values are
// not stored, but tests and metrics list types in this order).
#define FLAGLEDGER_EVENT_TYPES(X)                       \
  X(kFlagCreated, "flag.created", kFlag)                \
  X(kFlagUpdated, "flag.updated", kFlag)                \
  X(kFlagRolloutUpdated, "flag.rollout_updated", kFlag) \
  X(kFlagDeleted, "flag.deleted", kFlag)                \
  X(kTokenCreated, "token.created", kToken)             \
  X(kTokenRevoked, "token.revoked", kToken)             \
  X(kFlagReverted, "flag.reverted", kFlag)

enum class EventType : std::uint8_t {
#define FLAGLEDGER_EVENT_TYPE_ENUMERATOR(enumerator, name, subject) enumerator,
  FLAGLEDGER_EVENT_TYPES(FLAGLEDGER_EVENT_TYPE_ENUMERATOR)
#undef FLAGLEDGER_EVENT_TYPE_ENUMERATOR
};

struct EventTypeInfo {
  EventType type;
  std::string_view name;  // the contract's name, e.g. "flag.rollout_updated"
  EventSubject subject;
};

// Every event type, in enum order: kEventTypes[i].type == EventType(i).
inline constexpr std::array kEventTypes = {
#define FLAGLEDGER_EVENT_TYPE_INFO(enumerator, name, subject) \
  EventTypeInfo{EventType::enumerator, name, EventSubject::subject},
    FLAGLEDGER_EVENT_TYPES(FLAGLEDGER_EVENT_TYPE_INFO)
#undef FLAGLEDGER_EVENT_TYPE_INFO
};
inline constexpr std::size_t kEventTypeCount = kEventTypes.size();

constexpr bool EventTypesInEnumOrder() {
  for (std::size_t i = 0; i < kEventTypeCount; ++i) {
    if (static_cast<std::size_t>(kEventTypes[i].type) != i) return false;
  }
  return true;
}
static_assert(EventTypesInEnumOrder());

constexpr const EventTypeInfo& InfoOf(EventType type) {
  return kEventTypes[static_cast<std::size_t>(type)];
}

// "flag.created", "token.revoked", ...
constexpr std::string_view EventTypeName(EventType type) { return InfoOf(type).name; }

// The type with this name; nullopt for a name no type has.
constexpr std::optional<EventType> ParseEventType(std::string_view name) {
  for (const EventTypeInfo& info : kEventTypes) {
    if (info.name == name) return info.type;
  }
  return std::nullopt;
}

constexpr bool IsTokenEvent(EventType type) { return InfoOf(type).subject == EventSubject::kToken; }

}  // namespace flagledger

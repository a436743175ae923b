// The events of the log (docs/api.md, "Resources"): every mutation of a flag is one event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/api_token.h"
#include "core/flag.h"
#include "core/timestamp.h"
#include "events/event_type.h"

namespace flagledger {

// What a token event records about its token (both types carry it in full).
struct TokenFacts {
  std::string name;
  std::string organization_id;  // or kAllOrganizations
  Role role = Role::kRead;
  std::string secret_sha256;
  bool operator==(const TokenFacts&) const = default;
};

// A member's value before and after the event; `from` is null on flag.created.
struct EnabledChange {
  std::optional<bool> from;
  bool to = false;
  bool operator==(const EnabledChange&) const = default;
};
struct RolloutChange {
  std::optional<RolloutCondition> from;
  std::optional<RolloutCondition> to;
  bool operator==(const RolloutChange&) const = default;
};

// The members an event changed; both empty on flag.deleted and on a flag.reverted that
// deletes.
struct EventChanges {
  std::optional<EnabledChange> enabled;
  std::optional<RolloutChange> rollout_condition;
  bool operator==(const EventChanges&) const = default;
};

// flag.reverted only: the point of the log the flag was put back to.
struct RevertPoint {
  std::uint64_t to_event = 0;      // the state right after this event (0: before the first)
  std::optional<Timestamp> as_of;  // the time the request named, when it named one
  bool operator==(const RevertPoint&) const = default;
};

// One immutable fact. `sequence` and `version` are assigned by EventLog::Append.
// A token event has organization_id kSystemStream, the token id as flag_key, and `token`;
// its `changes` are empty and `flag` is null.
struct Event {
  std::uint64_t sequence = 0;  // global log position, from 1, gapless
  EventType type = EventType::kFlagCreated;
  std::string organization_id;
  std::string flag_key;
  std::uint64_t version = 0;  // position in this flag key's stream, from 1, across re-creates
  Timestamp recorded_at;      // never decreases along sequence
  std::string actor;
  // The id of the token whose name `actor` is (two tokens may share a name); empty where
  // authentication is off, on the CLI's token events and on events before release 0.12.0.
  std::string actor_token_id;
  std::string request_id;
  std::string reason;  // why, as the write gave it (core/change_reason.h); empty: none given
  EventChanges changes;
  std::optional<Flag> flag;  // the flag after this event; null after flag.deleted
  // flag.deleted, and a flag.reverted that deletes: the flag just before it was deleted.
  std::optional<Flag> previous;
  std::optional<RevertPoint> reverted_to;  // flag.reverted only
  // A flag.reverted that an organization restore appended: the id all its events share.
  std::string restore_id;
  std::optional<TokenFacts> token;  // token events only
  // The hash chain (events/event_chain.h), set by EventLog::Append: the hash of the event
  // before (kGenesisHash for event 1) and this event's own, 64 lowercase hex digits each.
  // Empty only on events not yet appended, and on events of logs before schema 4 until
  // their upgrade.
  std::string previous_hash;
  std::string hash;

  bool operator==(const Event&) const = default;
};

}  // namespace flagledger

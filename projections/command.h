// Commands: what a client asks to change, before it is checked against the projection; and
// what became of them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/api_token.h"
#include "core/flag.h"
#include "core/status.h"
#include "events/event.h"
#include "events/event_type.h"
#include "projections/flag_record.h"

namespace flagledger {

// Each action names what it is about (kSubject): IsTokenCommand reads it, so an action without
// one does not compile.
struct CreateFlag {
  static constexpr EventSubject kSubject = EventSubject::kFlag;
  bool enabled = false;
  std::optional<RolloutCondition> rollout_condition;
};

// PUT: members absent keep their value; a present rollout_condition replaces (null clears).
struct UpdateFlag {
  static constexpr EventSubject kSubject = EventSubject::kFlag;
  std::optional<bool> enabled;
  std::optional<std::optional<RolloutCondition>> rollout_condition;
};

// PATCH .../rollout, a JSON merge patch of the rollout condition.
struct PatchRollout {
  static constexpr EventSubject kSubject = EventSubject::kFlag;
  std::optional<std::optional<SemVer>> min_version;
  std::optional<std::optional<Timestamp>> activation_date;
};

struct DeleteFlag {
  static constexpr EventSubject kSubject = EventSubject::kFlag;
};

// POST .../revert: puts the flag back as it was right after event `point.to_event`.
// `target` is the flag then (null: it did not exist), read from the log by the caller (the
// past does not change, so it is read before the command is queued).
struct RevertFlag {
  static constexpr EventSubject kSubject = EventSubject::kFlag;
  RevertPoint point;
  std::shared_ptr<const FlagRecord> target;
};

// POST /organizations/{org}/restore: reverts every flag of the organization (flag_key empty)
// whose state differs from `target`, the live flags right after event `point.to_event` sorted
// by key (read by the caller as for RevertFlag), in one batch, each event carrying
// `restore_id`. If-Match applies to the organization's sequence: its newest event's.
struct RestoreOrganization {
  static constexpr EventSubject kSubject = EventSubject::kFlag;
  RevertPoint point;
  std::string restore_id;
  std::vector<std::shared_ptr<const FlagRecord>> target;
};

// Token commands address the system stream: organization_id kSystemStream, flag_key the
// token id (core/api_token.h).
struct CreateToken {
  static constexpr EventSubject kSubject = EventSubject::kToken;
  std::string name;
  std::string organization_id;  // or kAllOrganizations (then role kAdmin)
  Role role = Role::kRead;
  std::string secret_sha256;
};
struct RevokeToken {
  static constexpr EventSubject kSubject = EventSubject::kToken;
};

using CommandAction = std::variant<CreateFlag, UpdateFlag, PatchRollout, DeleteFlag, RevertFlag,
                                   RestoreOrganization, CreateToken, RevokeToken>;

// If-Match: the flag versions the client accepts, or any version ("*").
struct VersionPrecondition {
  bool any = false;
  std::vector<std::uint64_t> versions;

  bool Accepts(std::uint64_t version) const {
    if (any) return true;
    for (std::uint64_t accepted : versions) {
      if (accepted == version) return true;
    }
    return false;
  }
};

// A flag a revert or restore changed: its state before and after (null: absent), and the
// sequence of the event that changed it.
struct RevertedFlag {
  std::string flag_key;
  std::shared_ptr<const FlagRecord> before;
  std::shared_ptr<const FlagRecord> after;
  std::uint64_t sequence = 0;
};

// What became of one command.
struct WriteOutcome {
  Status status;                             // OK, or the contract error
  std::shared_ptr<const FlagRecord> record;  // the flag after the command; null after a delete
  // Set when an earlier request with the same Idempotency-Key is answered again: the
  // response stored for it, as the renderer returned it. Nothing else is set then.
  std::optional<std::string> replayed_response;
  // Revert and restore only: the flags they changed, by key; empty when nothing changed.
  std::vector<RevertedFlag> reverted;
  // Restore only: the organization's sequence before the command (its newest event's).
  std::uint64_t organization_sequence = 0;
  // The log position the answer reflects: the command's last event, or for a command that
  // appended nothing the newest event when it was answered (0 only on failures and replays).
  std::uint64_t sequence = 0;
};

// An Idempotency-Key sent with a write.
struct IdempotencyRequest {
  std::string scope_key;  // organization id '\0' key
  std::string request;    // identifies the request: a retry must send exactly this again
  // Renders the answer to store with the command's effects; called by the writer before the
  // batch is written, so the stored answer is durable together with the events.
  std::function<std::string(const WriteOutcome&)> render;
};

// REQUIRES: organization_id and flag_key are valid identifiers (core/identifier.h) and the
// action's values were validated (the HTTP layer does both).
struct Command {
  std::string organization_id;
  std::string flag_key;
  CommandAction action;
  std::optional<VersionPrecondition> if_match = std::nullopt;
  std::optional<IdempotencyRequest> idempotency = std::nullopt;
};

inline bool IsTokenCommand(const Command& command) {
  return std::visit(
      [](const auto& action) {
        return std::decay_t<decltype(action)>::kSubject == EventSubject::kToken;
      },
      command.action);
}

// Who asks, for the audit trail.
struct CommandContext {
  std::string actor;
  std::string request_id;
  std::string actor_token_id;  // the token `actor` names; empty where authentication is off
  std::string reason;          // why, as the request gave it (core/change_reason.h); empty: none
};

}  // namespace flagledger

#include "projections/decide.h"

#include <variant>

#include "core/overloaded.h"

namespace flagledger {
namespace {

Status NotFound(const Command& command) {
  return Status(ErrorCode::kFlagNotFound, "flag '" + command.flag_key +
                                              "' does not exist in organization '" +
                                              command.organization_id + "'");
}

Event NewEvent(EventType type, const Command& command, std::uint64_t version, Timestamp recorded_at,
               const CommandContext& context) {
  Event event;
  event.type = type;
  event.organization_id = command.organization_id;
  event.flag_key = command.flag_key;
  event.version = version;
  event.recorded_at = recorded_at;
  event.actor = context.actor;
  event.request_id = context.request_id;
  event.actor_token_id = context.actor_token_id;
  event.reason = context.reason;
  return event;
}

// The event that moves `current` to `next`, or nullopt when they are equal.
std::optional<Event> ChangeEvent(EventType type, const Command& command, const Flag& current,
                                 Flag next, std::uint64_t version, Timestamp recorded_at,
                                 const CommandContext& context) {
  next.rollout_condition = NormalizedRollout(std::move(next.rollout_condition));
  Event event = NewEvent(type, command, version, recorded_at, context);
  if (next.enabled != current.enabled) {
    event.changes.enabled = EnabledChange{current.enabled, next.enabled};
  }
  if (next.rollout_condition != current.rollout_condition) {
    event.changes.rollout_condition =
        RolloutChange{current.rollout_condition, next.rollout_condition};
  }
  if (!event.changes.enabled && !event.changes.rollout_condition) return std::nullopt;
  next.updated_at = recorded_at.FloorToSecond();
  event.flag = std::move(next);
  return event;
}

// The flag.reverted event that moves `current` to `target` (null: absent), or nullopt when
// both are absent or in the same state (enabled, rollout_condition and created_at, so that a
// revert across a delete and re-create restores the older created_at).
std::optional<Event> RevertEvent(const Command& command, const RevertPoint& point,
                                 const Flag* current, const Flag* target, std::uint64_t version,
                                 Timestamp recorded_at, const CommandContext& context) {
  if (!current && !target) return std::nullopt;
  Event event = NewEvent(EventType::kFlagReverted, command, version, recorded_at, context);
  event.reverted_to = point;
  if (!target) {
    event.previous = *current;
    return event;
  }
  bool same_enabled = current && current->enabled == target->enabled;
  bool same_rollout = current && current->rollout_condition == target->rollout_condition;
  if (same_enabled && same_rollout && current->created_at == target->created_at) {
    return std::nullopt;
  }
  std::optional<bool> enabled_before;
  std::optional<RolloutCondition> rollout_before;
  if (current) {
    enabled_before = current->enabled;
    rollout_before = current->rollout_condition;
  }
  if (!same_enabled) event.changes.enabled = EnabledChange{enabled_before, target->enabled};
  if (!same_rollout) {
    event.changes.rollout_condition = RolloutChange{rollout_before, target->rollout_condition};
  }
  event.flag = *target;
  event.flag->updated_at = recorded_at.FloorToSecond();
  return event;
}

}  // namespace

Result<std::optional<Event>> Decide(const Command& command, const Flag* current,
                                    std::uint64_t current_version, Timestamp recorded_at,
                                    const CommandContext& context) {
  using Decision = Result<std::optional<Event>>;
  const std::uint64_t version = current_version + 1;
  auto change = [&](EventType type, Flag next) -> Decision {
    return ChangeEvent(type, command, *current, std::move(next), version, recorded_at, context);
  };
  auto not_a_flag_command = []() -> Decision {
    return Status(ErrorCode::kInternal, "a token or restore command was decided as one flag's");
  };
  if (std::holds_alternative<CreateFlag>(command.action)) {
    if (current) {
      return Status(ErrorCode::kFlagExists, "flag '" + command.flag_key +
                                                "' already exists in organization '" +
                                                command.organization_id + "'");
    }
  } else if (IsTokenCommand(command) ||
             std::holds_alternative<RestoreOrganization>(command.action)) {
    return not_a_flag_command();
  } else if (!current &&
             !(std::holds_alternative<RevertFlag>(command.action) && current_version > 0)) {
    return NotFound(command);  // a revert needs a key that had a flag once, not one now
  } else if (command.if_match &&
             (current ? !command.if_match->Accepts(current_version)
                      : command.if_match->any || !command.if_match->Accepts(current_version))) {
    return Status(ErrorCode::kPreconditionFailed,
                  "flag '" + command.flag_key + "' " + (current ? "is" : "was deleted") +
                      " at version " + std::to_string(current_version) +
                      ", which If-Match does not accept");
  }
  return std::visit(
      Overloaded{
          [&](const CreateFlag& create) -> Decision {
            Event event = NewEvent(EventType::kFlagCreated, command, version, recorded_at, context);
            Flag flag;
            flag.organization_id = command.organization_id;
            flag.flag_key = command.flag_key;
            flag.enabled = create.enabled;
            flag.rollout_condition = NormalizedRollout(create.rollout_condition);
            flag.created_at = flag.updated_at = recorded_at.FloorToSecond();
            event.changes.enabled = EnabledChange{std::nullopt, flag.enabled};
            event.changes.rollout_condition = RolloutChange{std::nullopt, flag.rollout_condition};
            event.flag = std::move(flag);
            return std::optional<Event>(std::move(event));
          },
          [&](const UpdateFlag& update) -> Decision {
            Flag next = *current;
            if (update.enabled) next.enabled = *update.enabled;
            if (update.rollout_condition) next.rollout_condition = *update.rollout_condition;
            return change(EventType::kFlagUpdated, std::move(next));
          },
          [&](const PatchRollout& patch) -> Decision {
            Flag next = *current;
            RolloutCondition rollout = current->rollout_condition.value_or(RolloutCondition{});
            if (patch.min_version) rollout.min_version = *patch.min_version;
            if (patch.activation_date) rollout.activation_date = *patch.activation_date;
            next.rollout_condition = std::move(rollout);
            return change(EventType::kFlagRolloutUpdated, std::move(next));
          },
          [&](const DeleteFlag&) -> Decision {
            Event event = NewEvent(EventType::kFlagDeleted, command, version, recorded_at, context);
            event.previous = *current;
            return std::optional<Event>(std::move(event));
          },
          [&](const RevertFlag& revert) -> Decision {
            return RevertEvent(command, revert.point, current,
                               revert.target ? &revert.target->flag : nullptr, version, recorded_at,
                               context);
          },
          [&](const RestoreOrganization&) { return not_a_flag_command(); },
          [&](const CreateToken&) { return not_a_flag_command(); },
          [&](const RevokeToken&) { return not_a_flag_command(); },
      },
      command.action);
}

Result<std::optional<Event>> DecideToken(const Command& command, const TokenTable& tokens,
                                         Timestamp recorded_at, const CommandContext& context) {
  using Decision = Result<std::optional<Event>>;
  const ApiToken* current = tokens.FindById(command.flag_key);
  std::uint64_t version = current ? current->version + 1 : 1;
  auto not_a_token_command = []() -> Decision {
    return Status(ErrorCode::kInternal, "a flag command was decided as a token command");
  };
  return std::visit(
      Overloaded{
          [&](const CreateToken& create) -> Decision {
            if (create.organization_id == kAllOrganizations && create.role != Role::kAdmin &&
                create.role != Role::kAuditor && create.role != Role::kReplica) {
              return Status(ErrorCode::kValidationFailed,
                            "a token for every organization ('*') must have the role admin, "
                            "auditor or replica");
            }
            if (create.organization_id != kAllOrganizations && create.role == Role::kReplica) {
              return Status(ErrorCode::kValidationFailed,
                            "a replica token reads the whole log: it must be for every "
                            "organization ('*')");
            }
            TokenFacts facts{create.name, create.organization_id, create.role,
                             create.secret_sha256};
            if (current) {
              bool same = current->name == facts.name &&
                          current->organization_id == facts.organization_id &&
                          current->role == facts.role &&
                          current->secret_sha256 == facts.secret_sha256;
              if (same) return std::optional<Event>();
              return Status(ErrorCode::kFlagExists,
                            "token '" + command.flag_key + "' already exists");
            }
            Event event =
                NewEvent(EventType::kTokenCreated, command, version, recorded_at, context);
            event.token = std::move(facts);
            return std::optional<Event>(std::move(event));
          },
          [&](const RevokeToken&) -> Decision {
            if (!current) {
              return Status(ErrorCode::kFlagNotFound,
                            "no token has the id '" + command.flag_key + "'");
            }
            if (!current->active()) return std::optional<Event>();
            Event event =
                NewEvent(EventType::kTokenRevoked, command, version, recorded_at, context);
            event.token = TokenFacts{current->name, current->organization_id, current->role,
                                     current->secret_sha256};
            return std::optional<Event>(std::move(event));
          },
          [&](const CreateFlag&) { return not_a_token_command(); },
          [&](const UpdateFlag&) { return not_a_token_command(); },
          [&](const PatchRollout&) { return not_a_token_command(); },
          [&](const DeleteFlag&) { return not_a_token_command(); },
          [&](const RevertFlag&) { return not_a_token_command(); },
          [&](const RestoreOrganization&) { return not_a_token_command(); },
      },
      command.action);
}

}  // namespace flagledger

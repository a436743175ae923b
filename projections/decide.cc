#include "projections/decide.h"

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

}  // namespace

Result<std::optional<Event>> Decide(const Command& command, const Flag* current,
                                    std::uint64_t current_version, Timestamp recorded_at,
                                    const CommandContext& context) {
  const std::uint64_t version = current_version + 1;
  if (const auto* create = std::get_if<CreateFlag>(&command.action)) {
    if (current) {
      return Status(ErrorCode::kFlagExists, "flag '" + command.flag_key +
                                                "' already exists in organization '" +
                                                command.organization_id + "'");
    }
    Event event = NewEvent(EventType::kFlagCreated, command, version, recorded_at, context);
    Flag flag;
    flag.organization_id = command.organization_id;
    flag.flag_key = command.flag_key;
    flag.enabled = create->enabled;
    flag.rollout_condition = NormalizedRollout(create->rollout_condition);
    flag.created_at = flag.updated_at = recorded_at.FloorToSecond();
    event.changes.enabled = EnabledChange{std::nullopt, flag.enabled};
    event.changes.rollout_condition = RolloutChange{std::nullopt, flag.rollout_condition};
    event.flag = std::move(flag);
    return std::optional<Event>(std::move(event));
  }
  if (!current) return NotFound(command);
  if (command.if_match && !command.if_match->Accepts(current_version)) {
    return Status(ErrorCode::kPreconditionFailed, "flag '" + command.flag_key + "' is at version " +
                                                      std::to_string(current_version) +
                                                      ", which If-Match does not accept");
  }

  if (const auto* update = std::get_if<UpdateFlag>(&command.action)) {
    Flag next = *current;
    if (update->enabled) next.enabled = *update->enabled;
    if (update->rollout_condition) next.rollout_condition = *update->rollout_condition;
    return ChangeEvent(EventType::kFlagUpdated, command, *current, std::move(next), version,
                       recorded_at, context);
  }
  if (const auto* patch = std::get_if<PatchRollout>(&command.action)) {
    Flag next = *current;
    RolloutCondition rollout = current->rollout_condition.value_or(RolloutCondition{});
    if (patch->min_version) rollout.min_version = *patch->min_version;
    if (patch->activation_date) rollout.activation_date = *patch->activation_date;
    next.rollout_condition = std::move(rollout);
    return ChangeEvent(EventType::kFlagRolloutUpdated, command, *current, std::move(next), version,
                       recorded_at, context);
  }
  // DeleteFlag
  return std::optional<Event>(
      NewEvent(EventType::kFlagDeleted, command, version, recorded_at, context));
}

Result<std::optional<Event>> DecideToken(const Command& command, const TokenTable& tokens,
                                         Timestamp recorded_at, const CommandContext& context) {
  const ApiToken* current = tokens.FindById(command.flag_key);
  Event event = NewEvent(EventType::kTokenRevoked, command, current ? current->version + 1 : 1,
                         recorded_at, context);
  if (const auto* create = std::get_if<CreateToken>(&command.action)) {
    if (create->organization_id == kAllOrganizations && create->role != Role::kAdmin) {
      return Status(ErrorCode::kValidationFailed,
                    "a token for every organization ('*') must have the role admin");
    }
    TokenFacts facts{create->name, create->organization_id, create->role, create->secret_sha256};
    if (current) {
      bool same = current->name == facts.name &&
                  current->organization_id == facts.organization_id &&
                  current->role == facts.role && current->secret_sha256 == facts.secret_sha256;
      if (same) return std::optional<Event>();
      return Status(ErrorCode::kFlagExists, "token '" + command.flag_key + "' already exists");
    }
    event.type = EventType::kTokenCreated;
    event.token = std::move(facts);
    return std::optional<Event>(std::move(event));
  }
  if (!current) {
    return Status(ErrorCode::kFlagNotFound, "no token has the id '" + command.flag_key + "'");
  }
  if (!current->active()) return std::optional<Event>();
  event.token =
      TokenFacts{current->name, current->organization_id, current->role, current->secret_sha256};
  return std::optional<Event>(std::move(event));
}

}  // namespace flagledger

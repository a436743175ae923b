#include "http/request_body.h"

#include <simdjson.h>

#include <set>

#include "core/identifier.h"

namespace flagledger {
namespace {

namespace dom = simdjson::dom;

constexpr char kIdentifierRule[] =
    "must be 1 to 128 characters from A-Z a-z 0-9 . _ - starting with a letter or digit";

// Collects every field error of one body.
class BodyErrors {
 public:
  void Add(std::string field, std::string message) {
    errors_.push_back({std::move(field), std::move(message)});
  }
  bool empty() const { return errors_.empty(); }
  Status ToStatus() {
    std::string detail =
        "the request body is invalid: " + errors_.front().field + " " + errors_.front().message;
    if (errors_.size() > 1) detail += " (and " + std::to_string(errors_.size() - 1) + " more)";
    return Status(ErrorCode::kValidationFailed, std::move(detail), std::move(errors_));
  }

 private:
  std::vector<FieldError> errors_;
};

// Parses `body` into its root object, or says why it is not one.
Result<dom::object> ParseObject(std::string_view body) {
  thread_local dom::parser parser;
  if (body.data() == nullptr) body = "";  // simdjson copies it; memcpy from null is undefined
  dom::element root;
  simdjson::error_code error = parser.parse(body.data(), body.size()).get(root);
  if (error == simdjson::UTF8_ERROR) {
    return Status(ErrorCode::kInvalidJson, "the request body is not valid UTF-8");
  }
  if (error == simdjson::EMPTY) return Status(ErrorCode::kInvalidJson, "the request body is empty");
  if (error) return Status(ErrorCode::kInvalidJson, "the request body is not well-formed JSON");
  dom::object object;
  if (root.get_object().get(object)) {
    return Status(ErrorCode::kInvalidJson, "the request body must be a JSON object");
  }
  return object;
}

// Visits each member once; a repeated member is an error of its own.
template <typename Visit>
void ForEachMember(dom::object object, std::string_view prefix, BodyErrors& errors, Visit visit) {
  std::set<std::string_view> seen;
  for (dom::key_value_pair member : object) {
    std::string field = std::string(prefix) + std::string(member.key);
    if (!seen.insert(member.key).second) {
      errors.Add(field, "appears more than once");
      continue;
    }
    if (!visit(member.key, member.value)) errors.Add(field, "is not a known member");
  }
}

std::optional<bool> ReadBool(dom::element value, std::string field, BodyErrors& errors) {
  bool flag;
  if (value.get_bool().get(flag)) {
    errors.Add(std::move(field), "must be a boolean");
    return std::nullopt;
  }
  return flag;
}

// A present min_version: a SemVer string or null. nullopt when invalid (error recorded).
std::optional<std::optional<SemVer>> ReadMinVersion(dom::element value, std::string field,
                                                    BodyErrors& errors) {
  if (value.is_null()) return std::optional<SemVer>();
  std::string_view text;
  if (value.get_string().get(text)) {
    errors.Add(std::move(field), "must be a string or null");
    return std::nullopt;
  }
  auto version = SemVer::Parse(text);
  if (!version.ok()) {
    errors.Add(std::move(field),
               "is not a valid SemVer 2.0.0 version: " + version.status().detail());
    return std::nullopt;
  }
  return std::optional<SemVer>(std::move(version).value());
}

// A present activation_date: an RFC 3339 string without a fractional second, or null.
std::optional<std::optional<Timestamp>> ReadActivationDate(dom::element value, std::string field,
                                                           BodyErrors& errors) {
  if (value.is_null()) return std::optional<Timestamp>();
  std::string_view text;
  if (value.get_string().get(text)) {
    errors.Add(std::move(field), "must be a string or null");
    return std::nullopt;
  }
  auto parsed = ParseRfc3339(text);
  if (!parsed.ok()) {
    errors.Add(std::move(field), parsed.status().detail());
    return std::nullopt;
  }
  if (parsed->has_fraction) {
    errors.Add(std::move(field), "must not have a fractional second");
    return std::nullopt;
  }
  return std::optional<Timestamp>(parsed->time);
}

// A present rollout_condition: an object (members absent mean null) or null.
std::optional<std::optional<RolloutCondition>> ReadRollout(dom::element value, BodyErrors& errors) {
  if (value.is_null()) return std::optional<RolloutCondition>();
  dom::object object;
  if (value.get_object().get(object)) {
    errors.Add("rollout_condition", "must be an object or null");
    return std::nullopt;
  }
  RolloutCondition rollout;
  bool valid = true;
  ForEachMember(object, "rollout_condition.", errors, [&](std::string_view key, dom::element v) {
    if (key == "min_version") {
      auto version = ReadMinVersion(v, "rollout_condition.min_version", errors);
      if (version) rollout.min_version = std::move(*version);
      valid = valid && version.has_value();
      return true;
    }
    if (key == "activation_date") {
      auto date = ReadActivationDate(v, "rollout_condition.activation_date", errors);
      if (date) rollout.activation_date = *date;
      valid = valid && date.has_value();
      return true;
    }
    valid = false;
    return false;
  });
  if (!valid) return std::nullopt;
  return std::optional<RolloutCondition>(std::move(rollout));
}

// A read-only identifier member, accepted only when it equals the path's value.
void CheckEqualsPath(dom::element value, const char* field, std::string_view expected,
                     BodyErrors& errors) {
  std::string_view text;
  if (value.get_string().get(text)) {
    errors.Add(field, "must be a string");
  } else if (text != expected) {
    errors.Add(field, "must equal the " + std::string(field) + " in the path");
  }
}

}  // namespace

Result<CreateFlagRequest> ParseCreateFlagBody(std::string_view body,
                                              std::string_view organization_id) {
  auto object = ParseObject(body);
  if (!object.ok()) return object.status();
  BodyErrors errors;
  CreateFlagRequest request;
  bool has_key = false;
  ForEachMember(*object, "", errors, [&](std::string_view key, dom::element value) {
    if (key == "flag_key") {
      has_key = true;
      std::string_view text;
      if (value.get_string().get(text)) {
        errors.Add("flag_key", "must be a string");
      } else if (!IsValidIdentifier(text)) {
        errors.Add("flag_key", kIdentifierRule);
      } else {
        request.flag_key = std::string(text);
      }
    } else if (key == "enabled") {
      request.action.enabled = ReadBool(value, "enabled", errors).value_or(false);
    } else if (key == "rollout_condition") {
      request.action.rollout_condition = ReadRollout(value, errors).value_or(std::nullopt);
    } else if (key == "organization_id") {
      CheckEqualsPath(value, "organization_id", organization_id, errors);
    } else {
      return false;
    }
    return true;
  });
  if (!has_key) errors.Add("flag_key", "is required");
  if (!errors.empty()) return errors.ToStatus();
  return request;
}

Result<UpdateFlag> ParseUpdateFlagBody(std::string_view body, std::string_view organization_id,
                                       std::string_view flag_key) {
  auto object = ParseObject(body);
  if (!object.ok()) return object.status();
  BodyErrors errors;
  UpdateFlag update;
  bool has_change = false;
  ForEachMember(*object, "", errors, [&](std::string_view key, dom::element value) {
    if (key == "enabled") {
      has_change = true;
      update.enabled = ReadBool(value, "enabled", errors);
    } else if (key == "rollout_condition") {
      has_change = true;
      update.rollout_condition = ReadRollout(value, errors);
    } else if (key == "flag_key") {
      CheckEqualsPath(value, "flag_key", flag_key, errors);
    } else if (key == "organization_id") {
      CheckEqualsPath(value, "organization_id", organization_id, errors);
    } else if (key != "created_at" && key != "updated_at") {
      return false;
    }
    return true;
  });
  if (!has_change) {
    errors.Add("enabled", "is required when rollout_condition is absent");
  }
  if (!errors.empty()) return errors.ToStatus();
  return update;
}

Result<PatchRollout> ParsePatchRolloutBody(std::string_view body) {
  auto object = ParseObject(body);
  if (!object.ok()) return object.status();
  BodyErrors errors;
  PatchRollout patch;
  ForEachMember(*object, "", errors, [&](std::string_view key, dom::element value) {
    if (key == "min_version") {
      auto version = ReadMinVersion(value, "min_version", errors);
      if (version) patch.min_version = std::move(*version);
    } else if (key == "activation_date") {
      auto date = ReadActivationDate(value, "activation_date", errors);
      if (date) patch.activation_date = *date;
    } else {
      return false;
    }
    return true;
  });
  if (!patch.min_version && !patch.activation_date && errors.empty()) {
    errors.Add("min_version", "is required when activation_date is absent");
  }
  if (!errors.empty()) return errors.ToStatus();
  return patch;
}

Result<RevertRequest> ParseRevertBody(std::string_view body, bool dry_run_allowed) {
  auto object = ParseObject(body);
  if (!object.ok()) return object.status();
  BodyErrors errors;
  RevertRequest request;
  bool has_point = false;
  ForEachMember(*object, "", errors, [&](std::string_view key, dom::element value) {
    if (key == "to_event") {
      has_point = true;
      std::uint64_t sequence;
      if (value.get_uint64().get(sequence)) {
        errors.Add("to_event", "must be an integer from 0 (an event's sequence)");
      } else {
        request.to_event = sequence;
      }
    } else if (key == "as_of") {
      has_point = true;
      std::string_view text;
      if (value.get_string().get(text)) {
        errors.Add("as_of", "must be a string (an RFC 3339 date-time, or a date)");
      } else if (auto time = ParseTimeInput(text); !time.ok()) {
        errors.Add("as_of", time.status().detail());
      } else {
        request.as_of = *time;
      }
    } else if (key == "dry_run" && dry_run_allowed) {
      request.dry_run = ReadBool(value, "dry_run", errors).value_or(false);
    } else {
      return false;
    }
    return true;
  });
  if (!has_point) errors.Add("to_event", "is required when as_of is absent");
  if (request.to_event && request.as_of) errors.Add("as_of", "must not be given with to_event");
  if (!errors.empty()) return errors.ToStatus();
  return request;
}

Result<OfrepContext> ParseOfrepBody(std::string_view body) {
  OfrepContext parsed;
  if (body.empty()) return parsed;
  auto object = ParseObject(body);
  if (!object.ok()) return object.status();
  dom::element context;
  if ((*object)["context"].get(context)) return parsed;  // no context: an empty one
  dom::object members;
  if (context.get_object().get(members)) {
    return Status(ErrorCode::kValidationFailed, "context must be an object");
  }
  dom::element version;
  if (!members["version"].get(version)) {
    std::string_view text;
    parsed.version = version.get_string().get(text) ? std::string() : std::string(text);
  }
  dom::element organization;
  if (!members["organization_id"].get(organization)) {
    std::string_view text;
    if (organization.get_string().get(text) || !IsValidIdentifier(text)) {
      return Status(ErrorCode::kValidationFailed,
                    "context.organization_id must be a valid organization id");
    }
    parsed.organization_id = std::string(text);
  }
  return parsed;
}

}  // namespace flagledger

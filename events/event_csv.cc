#include "events/event_csv.h"

#include "core/flag_json.h"
#include "core/json_writer.h"

namespace flagledger {
namespace {

void AppendField(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

std::string BoolJson(std::optional<bool> value) {
  return value ? (*value ? "true" : "false") : "null";
}

std::string RolloutJson(const std::optional<RolloutCondition>& rollout) {
  std::string json;
  AppendRolloutJson(json, rollout);
  return json;
}

std::string TokenJson(const TokenFacts& token) {
  std::string json = "{\"name\":";
  AppendJsonString(json, token.name);
  json += ",\"organization_id\":";
  AppendJsonString(json, token.organization_id);
  json += ",\"role\":";
  AppendJsonString(json, RoleName(token.role));
  json += "}";
  return json;
}

void AppendRow(std::string& out, const Event& event, std::string_view member, std::string_view from,
               std::string_view to) {
  out += std::to_string(event.sequence);
  out.push_back(',');
  event.recorded_at.AppendMicros(out);
  out.push_back(',');
  out.append(EventTypeName(event.type));
  out.push_back(',');
  AppendField(out, event.organization_id);
  out.push_back(',');
  AppendField(out, event.flag_key);
  out.push_back(',');
  out += std::to_string(event.version);
  out.push_back(',');
  AppendField(out, event.actor);
  out.push_back(',');
  AppendField(out, event.request_id);
  out.push_back(',');
  out.append(member);
  out.push_back(',');
  AppendField(out, from);
  out.push_back(',');
  AppendField(out, to);
  out.push_back(',');
  AppendField(out, event.reason);
  out.push_back(',');
  if (event.reverted_to) out += std::to_string(event.reverted_to->to_event);
  out.push_back(',');
  AppendField(out, event.restore_id);
  out.push_back(',');
  out.append(event.hash);
  out += "\r\n";
}

}  // namespace

void AppendEventCsvHeader(std::string& out) {
  out +=
      "sequence,recorded_at,type,organization_id,flag_key,version,actor,request_id,member,from,"
      "to,reason,reverted_to,restore_id,hash\r\n";
}

void AppendEventCsvRows(std::string& out, const Event& event) {
  if (event.token) {
    std::string token = TokenJson(*event.token);
    bool created = event.type == EventType::kTokenCreated;
    AppendRow(out, event, "token", created ? "null" : token, created ? token : "null");
    return;
  }
  if (!event.flag) {  // flag.deleted, or a flag.reverted that deletes
    if (!event.previous) return AppendRow(out, event, "", "", "");
    AppendRow(out, event, "enabled", BoolJson(event.previous->enabled), "null");
    AppendRow(out, event, "rollout_condition", RolloutJson(event.previous->rollout_condition),
              "null");
    return;
  }
  if (const auto& enabled = event.changes.enabled) {
    AppendRow(out, event, "enabled", BoolJson(enabled->from), BoolJson(enabled->to));
  }
  if (const auto& rollout = event.changes.rollout_condition) {
    AppendRow(out, event, "rollout_condition", RolloutJson(rollout->from),
              RolloutJson(rollout->to));
  }
}

}  // namespace flagledger

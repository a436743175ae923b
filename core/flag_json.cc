#include "core/flag_json.h"

#include "core/json_writer.h"

namespace flagledger {

void AppendRolloutJson(std::string& out, const std::optional<RolloutCondition>& rollout) {
  if (!rollout) {
    out += "null";
    return;
  }
  out += "{\"min_version\":";
  if (rollout->min_version) {
    AppendJsonString(out, rollout->min_version->text());
  } else {
    out += "null";
  }
  out += ",\"activation_date\":";
  if (rollout->activation_date) {
    out.push_back('"');
    rollout->activation_date->AppendSeconds(out);
    out.push_back('"');
  } else {
    out += "null";
  }
  out.push_back('}');
}

void AppendFlagJson(std::string& out, const Flag& flag) {
  out += "{\"flag_key\":";
  AppendJsonString(out, flag.flag_key);
  out += ",\"enabled\":";
  AppendJsonBool(out, flag.enabled);
  out += ",\"organization_id\":";
  AppendJsonString(out, flag.organization_id);
  out += ",\"rollout_condition\":";
  AppendRolloutJson(out, flag.rollout_condition);
  out += ",\"created_at\":\"";
  flag.created_at.AppendSeconds(out);
  out += "\",\"updated_at\":\"";
  flag.updated_at.AppendSeconds(out);
  out += "\"}";
}

std::string FlagJson(const Flag& flag) {
  std::string out;
  AppendFlagJson(out, flag);
  return out;
}

}  // namespace flagledger

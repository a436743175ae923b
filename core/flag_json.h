// The JSON rendering of flags, members in exactly the order of docs/api.md, "Resources".
#pragma once

#include <optional>
#include <string>

#include "core/flag.h"

namespace flagledger {

// {"min_version":...,"activation_date":...} or null.
void AppendRolloutJson(std::string& out, const std::optional<RolloutCondition>& rollout);
// {"flag_key","enabled","organization_id","rollout_condition","created_at","updated_at"}.
void AppendFlagJson(std::string& out, const Flag& flag);
std::string FlagJson(const Flag& flag);

}  // namespace flagledger

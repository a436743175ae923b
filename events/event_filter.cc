#include "events/event_filter.h"

#include <algorithm>

namespace flagledger {

bool EventFilter::Matches(const Event& event) const {
  if (!organization_id.empty() && event.organization_id != organization_id) return false;
  if (!flag_key.empty() && event.flag_key != flag_key) return false;
  if (!flag_key_prefix.empty() && !event.flag_key.starts_with(flag_key_prefix)) return false;
  if (!actors.empty() && std::find(actors.begin(), actors.end(), event.actor) == actors.end()) {
    return false;
  }
  if (!token_organization_id.empty() &&
      !(event.token && event.token->organization_id == token_organization_id)) {
    return false;
  }
  return types.empty() || std::find(types.begin(), types.end(), event.type) != types.end();
}

}  // namespace flagledger

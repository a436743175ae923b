// Which events a history query wants (docs/api.md, "History filters"): every condition given
// must hold; an empty one holds for every event.
#pragma once

#include <string>
#include <vector>

#include "events/event.h"

namespace flagledger {

struct EventFilter {
  std::string organization_id;      // the organization's events only ("": the whole log)
  std::string flag_key;             // exactly this key's events ("": any)
  std::string flag_key_prefix;      // keys starting with this ("": any)
  std::vector<std::string> actors;  // by one of these actors (empty: any)
  std::vector<EventType> types;     // of one of these types (empty: any)
  // Token events of tokens for this organization only ("": any event). With organization_id
  // kSystemStream, the token events an organization's auditor may read.
  std::string token_organization_id;

  // Whether `event` passes every condition.
  bool Matches(const Event& event) const;
  // Whether only the organization (or the whole log) is asked for, nothing else.
  bool OnlyScope() const {
    return flag_key.empty() && flag_key_prefix.empty() && actors.empty() && types.empty() &&
           token_organization_id.empty();
  }
};

}  // namespace flagledger

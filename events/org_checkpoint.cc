#include "events/org_checkpoint.h"

#include "events/log_keys.h"

namespace flagledger {

void OrgCheckpoint::Apply(std::string_view flag_key, std::uint64_t event_sequence, bool flag_live) {
  sequence = event_sequence;
  auto found = live.find(flag_key);
  if (!flag_live) {
    if (found != live.end()) live.erase(found);
  } else if (found != live.end()) {
    found->second = event_sequence;
  } else {
    live.emplace(std::string(flag_key), event_sequence);
  }
}

std::string EncodeOrgCheckpoint(const OrgCheckpoint& checkpoint) {
  std::string value;
  for (const auto& [key, sequence] : checkpoint.live) {
    value.append(key).push_back('\0');
    internal::AppendBigEndian(value, sequence);
  }
  return value;
}

bool DecodeOrgCheckpoint(std::string_view value, OrgCheckpoint& checkpoint) {
  checkpoint.live.clear();
  while (!value.empty()) {
    std::size_t end = value.find('\0');
    if (end == 0 || end == std::string_view::npos || value.size() < end + 9) return false;
    std::string_view key = value.substr(0, end);
    if (!checkpoint.live.empty() && checkpoint.live.rbegin()->first >= key) return false;
    checkpoint.live.emplace_hint(checkpoint.live.end(), std::string(key),
                                 internal::ReadBigEndian(value.substr(end + 1)));
    value.remove_prefix(end + 9);
  }
  return true;
}

}  // namespace flagledger

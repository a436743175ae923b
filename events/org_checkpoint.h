// Checkpoints of an organization's flag keys, stored in the log's org_checkpoints family, so
// that the organization at any past event is one checkpoint plus the few events after it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace flagledger {

// The flag keys an organization had live right after event `sequence`, each with the sequence
// of its newest event then (that event leaves the flag behind; no deleted key is listed).
struct OrgCheckpoint {
  std::uint64_t sequence = 0;  // 0: before the organization's first event
  std::map<std::string, std::uint64_t, std::less<>> live;

  // Folds in the organization's next event: `flag_live` is false when it deletes the flag.
  // REQUIRES: event_sequence > sequence.
  void Apply(std::string_view flag_key, std::uint64_t event_sequence, bool flag_live);

  bool operator==(const OrgCheckpoint&) const = default;
};

// Events of an organization after its newest checkpoint at which the log writes the next one:
// as many as it has live flags (at least 256), so that a checkpoint costs about one key per
// event and reading the organization at a point walks at most that many events.
inline std::size_t CheckpointInterval(std::size_t live_keys) {
  return live_keys < 256 ? 256 : live_keys;
}

// The stored value: (flag_key '\0' u64 sequence)*, ascending by key. Flag keys hold no '\0'.
std::string EncodeOrgCheckpoint(const OrgCheckpoint& checkpoint);
// Fills `checkpoint.live`; false when `value` has another shape (its sequence is the key's).
bool DecodeOrgCheckpoint(std::string_view value, OrgCheckpoint& checkpoint);

}  // namespace flagledger

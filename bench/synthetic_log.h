// Builds event logs of a chosen size for benchmarks, through the real EventLog.
#pragma once

#include <cstdint>
#include <string>

#include "events/event_log.h"

namespace flagledger {

struct SyntheticLogShape {
  std::uint64_t events = 10'000;
  std::uint64_t organizations = 10;
  std::uint64_t flags_per_organization = 100;  // created first; the rest of the events update them
  // Every rare_every-th event is by actor kRareActor, and every rare_every-th update (offset
  // by half) has the type flag.rollout_updated: filters that match 1 / rare_every of the log.
  std::uint64_t rare_every = 1000;
};

inline constexpr char kRareActor[] = "rare-bot";

// Appends `shape.events` events to the log in `data_dir` (created; must be empty): every flag
// is created, then updated round-robin (enabled toggles, every third update also changes the
// rollout condition). recorded_at advances 1 ms per event from 2026-01-01T00:00:00Z.
// The log is opened with `options`, except that appends are not synced.
void BuildSyntheticLog(const std::string& data_dir, const SyntheticLogShape& shape,
                       EventLogOptions options = {});

std::string SyntheticOrganization(std::uint64_t index);  // "org-0007"
std::string SyntheticFlagKey(std::uint64_t index);       // "flag-000042"

}  // namespace flagledger

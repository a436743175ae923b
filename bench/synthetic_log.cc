#include "bench/synthetic_log.h"

#include <cstdio>
#include <stdexcept>
#include <vector>

namespace flagledger {

std::string SyntheticOrganization(std::uint64_t index) {
  char name[32];
  std::snprintf(name, sizeof(name), "org-%04llu", static_cast<unsigned long long>(index));
  return name;
}

std::string SyntheticFlagKey(std::uint64_t index) {
  char name[32];
  std::snprintf(name, sizeof(name), "flag-%06llu", static_cast<unsigned long long>(index));
  return name;
}

void BuildSyntheticLog(const std::string& data_dir, const SyntheticLogShape& shape,
                       EventLogOptions options) {
  options.sync_writes = false;
  auto log = EventLog::Open(data_dir, options);
  if (!log.ok()) throw std::runtime_error(log.status().detail());
  const std::uint64_t flags = shape.organizations * shape.flags_per_organization;
  const std::int64_t start = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z
  std::vector<Flag> current(flags);
  std::vector<Event> batch;
  for (std::uint64_t i = 0; i < shape.events; ++i) {
    std::uint64_t f = i % flags;
    Event event;
    event.organization_id = SyntheticOrganization(f % shape.organizations);
    event.flag_key = SyntheticFlagKey(f / shape.organizations);
    event.recorded_at = Timestamp::FromMicros(start + static_cast<std::int64_t>(i) * 1000);
    event.actor = i % shape.rare_every == shape.rare_every - 1 ? kRareActor : "bench";
    event.request_id = "synthetic";
    Flag next = current[f];
    if (i < flags) {
      event.type = EventType::kFlagCreated;
      next.organization_id = event.organization_id;
      next.flag_key = event.flag_key;
      next.created_at = event.recorded_at.FloorToSecond();
      event.changes.enabled = EnabledChange{std::nullopt, false};
      event.changes.rollout_condition = RolloutChange{};
    } else {
      event.type = i % shape.rare_every == shape.rare_every / 2 ? EventType::kFlagRolloutUpdated
                                                                : EventType::kFlagUpdated;
      next.enabled = !next.enabled;
      event.changes.enabled = EnabledChange{current[f].enabled, next.enabled};
      if (i / flags % 3 == 0) {
        next.rollout_condition = RolloutCondition{
            SemVer::Parse(std::to_string(i / flags) + ".0.0").value(), std::nullopt};
        event.changes.rollout_condition =
            RolloutChange{current[f].rollout_condition, next.rollout_condition};
      }
    }
    next.updated_at = event.recorded_at.FloorToSecond();
    event.flag = next;
    current[f] = std::move(next);
    batch.push_back(std::move(event));
    if (batch.size() == 1000 || i + 1 == shape.events) {
      Status appended = (*log)->Append(batch);
      if (!appended.ok()) throw std::runtime_error(appended.detail());
      batch.clear();
    }
  }
}

}  // namespace flagledger

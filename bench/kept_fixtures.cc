#include "bench/kept_fixtures.h"

#include <map>
#include <tuple>

#include "tests/testing/temp_dir.h"

namespace flagledger {

std::vector<std::shared_ptr<void>>& KeptFixtures() {
  static std::vector<std::shared_ptr<void>> fixtures;
  return fixtures;
}

void ReleaseKeptFixtures() {
  auto& kept = KeptFixtures();
  while (!kept.empty()) kept.pop_back();
}

EventLog& KeptSyntheticLog(const SyntheticLogShape& shape, const EventLogOptions& options) {
  using Key = std::tuple<std::uint64_t, std::uint64_t, std::uint64_t, std::size_t>;
  static std::map<Key, EventLog*> logs;
  EventLog*& log = logs[Key{shape.events, shape.organizations, shape.flags_per_organization,
                            options.block_cache_bytes}];
  if (log == nullptr) {
    TempDir& dir = KeepForTheRun(std::make_unique<TempDir>());
    BuildSyntheticLog(dir.path(), shape);
    log = &KeepForTheRun(EventLog::Open(dir.path(), options).value());
  }
  return *log;
}

}  // namespace flagledger

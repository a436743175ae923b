// Start-up time of the store over a 1M-event log: a full replay against the newest snapshot
// plus the tail. Shape: 100,000 flags in 1,000 organizations, created and then updated, so
// 1M events leave 100k flags.
#include <benchmark/benchmark.h>

#include "bench/kept_fixtures.h"
#include "bench/synthetic_log.h"
#include "core/clock.h"
#include "events/event_log.h"
#include "projections/flag_store.h"
#include "projections/rebuild.h"
#include "projections/snapshot_store.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

constexpr std::uint64_t kEvents = 1'000'000;

// The 1M-event log, built once per process.
EventLog& Log() { return KeptSyntheticLog({kEvents, 1000, 100}); }

void StartOnce(benchmark::State& state, SnapshotStore* snapshots) {
  SystemClock clock;
  FlagStoreOptions options;
  options.snapshots = snapshots;
  options.snapshot_every = 0;  // measure loading, not writing
  FlagStore store(Log(), clock, options);
  Status started = store.Start();
  if (!started.ok()) state.SkipWithError(started.detail().c_str());
  state.counters["flags"] = static_cast<double>(store.snapshot()->FlagCount());
}

void BM_StartupFullReplay(benchmark::State& state) {
  Log();
  for (auto _ : state) StartOnce(state, nullptr);
  state.counters["events_per_s"] = benchmark::Counter(
      static_cast<double>(kEvents) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_StartupFullReplay)->Unit(benchmark::kMillisecond)->Iterations(3);

// A snapshot `behind` events before the end, as the server leaves with --snapshot-every.
void BM_StartupFromSnapshot(benchmark::State& state) {
  TempDir snapshot_dir;
  SnapshotStore snapshots(snapshot_dir.path());
  std::uint64_t behind = static_cast<std::uint64_t>(state.range(0));
  auto replay = RebuildProjection(Log(), nullptr, kEvents - behind);
  if (!replay.ok() || !snapshots.Write(**replay).ok()) state.SkipWithError("cannot write the snapshot");
  for (auto _ : state) StartOnce(state, &snapshots);
}
BENCHMARK(BM_StartupFromSnapshot)->Arg(0)->Arg(50'000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace flagledger


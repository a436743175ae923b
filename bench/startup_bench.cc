// Start-up time of the store over a 1M-event log: a full replay against the newest snapshot
// plus the tail, and before either, opening the log (RocksDB replays its write-ahead log).
// Shape: 100,000 flags in 1,000 organizations, created and then updated, so 1M events leave
// 100k flags.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "bench/kept_fixtures.h"
#include "bench/synthetic_log.h"
#include "core/clock.h"
#include "events/event_log.h"
#include "projections/flag_store.h"
#include "projections/rebuild.h"
#include "projections/snapshot_store.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wal_bytes.h"

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
  if (!replay.ok() || !snapshots.Write(**replay).ok())
    state.SkipWithError("cannot write the snapshot");
  for (auto _ : state) StartOnce(state, &snapshots);
}
BENCHMARK(BM_StartupFromSnapshot)
    ->Arg(0)
    ->Arg(50'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

// Opening the log after 1M events were written with the write-ahead log bounded at range(0)
// MiB (0: RocksDB's own default, 3.5 GiB with the log's seven column families). RocksDB
// replays the live WAL on open, after a crash or a clean stop alike.
void BM_OpenLogAfterWrites(benchmark::State& state) {
  TempDir dir;
  int run = 0;
  double wal_bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string data_dir = dir.Sub(std::to_string(run++));
    EventLogOptions written_with;
    written_with.max_wal_bytes = static_cast<std::uint64_t>(state.range(0)) << 20;
    BuildSyntheticLog(data_dir, {kEvents, 1000, 100}, written_with);
    wal_bytes = static_cast<double>(WriteAheadLogBytes(data_dir));
    state.ResumeTiming();
    {
      auto log = EventLog::Open(data_dir, EventLogOptions{});
      state.PauseTiming();
      if (!log.ok()) state.SkipWithError(log.status().detail().c_str());
    }  // closed with the timer paused
    std::filesystem::remove_all(data_dir);
    state.ResumeTiming();
  }
  state.counters["wal_mib"] = wal_bytes / (1 << 20);
}
BENCHMARK(BM_OpenLogAfterWrites)->Arg(64)->Arg(0)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace flagledger

// Point-in-time reads over a short and a long history: the cost must grow with log n, not n.
// The same query shapes run over 10k and 1M events (1,000 flags in 10 organizations, each
// flag updated round-robin), so the two results compare directly. The log's block cache is
// 512 MiB (flagledger serve --cache-mb 512), enough to hold the 1M-event history.
#include <benchmark/benchmark.h>

#include <random>

#include "bench/kept_fixtures.h"
#include "bench/synthetic_log.h"
#include "events/event_log.h"
#include "projections/point_in_time.h"

namespace flagledger {
namespace {

constexpr std::uint64_t kOrganizations = 10, kFlagsPerOrganization = 100;

// One log per size, built once per process.
const EventLog& LogOf(std::uint64_t events) {
  EventLogOptions options;
  options.block_cache_bytes = std::size_t{512} << 20;
  return KeptSyntheticLog({events, kOrganizations, kFlagsPerOrganization}, options);
}

void BM_FlagAtRandomPastEvent(benchmark::State& state) {
  const EventLog& log = LogOf(state.range(0));
  std::mt19937_64 random(42);
  for (auto _ : state) {
    std::uint64_t sequence = random() % log.last_sequence() + 1;
    auto record = FlagAt(log, SyntheticOrganization(random() % kOrganizations),
                         SyntheticFlagKey(random() % kFlagsPerOrganization), sequence);
    benchmark::DoNotOptimize(record);
  }
}
BENCHMARK(BM_FlagAtRandomPastEvent)->Arg(10'000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

void BM_FlagAtRandomPastTime(benchmark::State& state) {
  const EventLog& log = LogOf(state.range(0));
  std::mt19937_64 random(42);
  const std::int64_t start = 1'767'225'600'000'000;
  for (auto _ : state) {
    auto time = Timestamp::FromMicros(
        start + static_cast<std::int64_t>(random() % (log.last_sequence() * 1000)));
    auto sequence = log.SequenceAt(time);
    auto record = FlagAt(log, SyntheticOrganization(random() % kOrganizations),
                         SyntheticFlagKey(random() % kFlagsPerOrganization), *sequence);
    benchmark::DoNotOptimize(record);
  }
}
BENCHMARK(BM_FlagAtRandomPastTime)->Arg(10'000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

void BM_OrganizationAtRandomPastEvent(benchmark::State& state) {
  const EventLog& log = LogOf(state.range(0));
  std::mt19937_64 random(42);
  for (auto _ : state) {
    std::uint64_t sequence = random() % log.last_sequence() + 1;
    auto flags = OrganizationAt(log, SyntheticOrganization(random() % kOrganizations), sequence);
    benchmark::DoNotOptimize(flags);
  }
}
BENCHMARK(BM_OrganizationAtRandomPastEvent)
    ->Arg(10'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace flagledger

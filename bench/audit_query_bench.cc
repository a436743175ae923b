// Audit queries at 1M events (issue "Audit queries"; bench/RESULTS.md, "Audit queries"):
// filtered history pages against an unfiltered page of the same view, the raw scan rate an
// export is bounded by, the hash chain check of `flagledger verify`, the diff between two
// moments and whole-organization evaluation.
//
// Two logs of 1M events: 1,000 organizations x 10 flags for the history filters (0.1% of the
// events are by the actor "rare-bot", 0.1% are flag.rollout_updated), and 10 organizations x
// 1,000 flags for the diff and the evaluation (an organization of 1,000 flags).
#include <benchmark/benchmark.h>

#include <random>

#include "bench/kept_fixtures.h"
#include "bench/synthetic_log.h"
#include "core/evaluation.h"
#include "events/event_filter.h"
#include "events/event_log.h"
#include "projections/organization_diff.h"
#include "projections/point_in_time.h"

namespace flagledger {
namespace {

constexpr std::uint64_t kEvents = 1'000'000;
constexpr std::int64_t kStart = 1'767'225'600'000'000;  // the synthetic log's first event

const EventLog& FilterLog() {
  EventLogOptions options;
  options.block_cache_bytes = std::size_t{1024} << 20;
  return KeptSyntheticLog({kEvents, 1000, 10}, options);
}

const EventLog& WideLog() {
  EventLogOptions options;
  options.block_cache_bytes = std::size_t{512} << 20;
  return KeptSyntheticLog({kEvents, 10, 1000}, options);
}

// One page of 100 events of `filter`, from a random point of the log.
void Page(benchmark::State& state, const EventLog& log, EventFilter filter,
          bool time_window = false) {
  std::mt19937_64 random(42);
  std::uint64_t events = 0;
  for (auto _ : state) {
    EventRange range;
    range.limit = 100;
    std::uint64_t start = random() % (log.last_sequence() - 10'000);
    if (time_window) {  // a 10 s window (10,000 events): resolved through the time index
      Timestamp from = Timestamp::FromMicros(kStart + static_cast<std::int64_t>(start) * 1000);
      auto bounds =
          log.SequencesRecordedBetween(from, Timestamp::FromMicros(from.micros() + 10'000'000));
      range.after = bounds->first;
      range.before = bounds->second;
    } else {
      range.after = start;
    }
    Status read = log.Query(filter, range, [&](std::uint64_t, std::string_view json) {
      benchmark::DoNotOptimize(json.data());
      ++events;
      return true;
    });
    if (!read.ok()) state.SkipWithError(read.detail().c_str());
  }
  state.counters["events_per_page"] =
      benchmark::Counter(static_cast<double>(events) / static_cast<double>(state.iterations()));
}

void BM_LogPage_Unfiltered(benchmark::State& state) { Page(state, FilterLog(), {}); }
void BM_LogPage_TimeRange(benchmark::State& state) { Page(state, FilterLog(), {}, true); }
void BM_LogPage_ActorRare(benchmark::State& state) {
  EventFilter filter;
  filter.actors = {kRareActor};
  Page(state, FilterLog(), filter);
}
void BM_LogPage_TypeRare(benchmark::State& state) {
  EventFilter filter;
  filter.types = {EventType::kFlagRolloutUpdated};
  Page(state, FilterLog(), filter);
}
void BM_LogPage_ActorAndTypeRare(benchmark::State& state) {  // walks the actor index
  EventFilter filter;
  filter.actors = {kRareActor};
  filter.types = {EventType::kFlagUpdated};
  Page(state, FilterLog(), filter);
}
BENCHMARK(BM_LogPage_Unfiltered)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LogPage_TimeRange)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LogPage_ActorRare)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LogPage_TypeRare)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LogPage_ActorAndTypeRare)->Unit(benchmark::kMicrosecond);

// An organization's views: 1,000 events each, so a page of its own events is the baseline.
void OrgPage(benchmark::State& state, EventFilter filter) {
  std::mt19937_64 random(7);
  for (auto _ : state) {
    filter.organization_id = SyntheticOrganization(random() % 1000);
    EventRange range;
    range.limit = 100;
    Status read = FilterLog().Query(filter, range, [&](std::uint64_t, std::string_view json) {
      benchmark::DoNotOptimize(json.data());
      return true;
    });
    if (!read.ok()) state.SkipWithError(read.detail().c_str());
  }
}
void BM_OrgPage_Unfiltered(benchmark::State& state) { OrgPage(state, {}); }
void BM_OrgPage_FlagKeyPrefix(benchmark::State& state) {  // 2 of the 10 keys: flag-00000[01]
  EventFilter filter;
  filter.flag_key_prefix = "flag-00000";
  OrgPage(state, filter);
}
void BM_OrgPage_ActorRare(benchmark::State& state) {
  EventFilter filter;
  filter.actors = {kRareActor};
  OrgPage(state, filter);
}
BENCHMARK(BM_OrgPage_Unfiltered)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_OrgPage_FlagKeyPrefix)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_OrgPage_ActorRare)->Unit(benchmark::kMicrosecond);

// What an export is bounded by: the whole log read in order, as the export walks it.
void BM_ScanWholeLog(benchmark::State& state) {
  const EventLog& log = FilterLog();
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    EventRange range;
    range.after = 0;
    for (bool more = true; more;) {  // in export batches of 1,024 events
      range.limit = 1024;
      std::uint64_t last = 0;
      Status read = log.Query({}, range, [&](std::uint64_t sequence, std::string_view json) {
        bytes += json.size() + 1;
        last = sequence;
        return true;
      });
      if (!read.ok()) state.SkipWithError(read.detail().c_str());
      more = last != 0;
      range.after = last;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * log.last_sequence()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_ScanWholeLog)->Unit(benchmark::kMillisecond)->Iterations(3);

// `flagledger verify`'s hash chain check of the whole log (events/event_chain.h): every
// event's SHA-256 recomputed and linked to the one before.
void BM_CheckChainWholeLog(benchmark::State& state) {
  const EventLog& log = FilterLog();
  for (auto _ : state) {
    std::size_t problems = 0;
    auto head = log.CheckChain([&](const std::string&) { ++problems; });
    if (!head.ok() || problems != 0) state.SkipWithError("the chain does not verify");
    benchmark::DoNotOptimize(head);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * log.last_sequence()));
}
BENCHMARK(BM_CheckChainWholeLog)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// A diff of an organization of 1,000 flags between two points 10,000 of its events apart
// (every flag changed about ten times in between), one page of `limit` flags.
void BM_Diff10kEventsApart(benchmark::State& state) {
  const EventLog& log = WideLog();
  std::mt19937_64 random(3);
  for (auto _ : state) {
    std::uint64_t from = 100'000 + random() % 800'000;  // an organization has every 10th event
    auto diff = DiffOrganization(log, SyntheticOrganization(random() % 10), from, from + 100'000,
                                 "", static_cast<std::size_t>(state.range(0)));
    if (!diff.ok()) state.SkipWithError(diff.status().detail().c_str());
    benchmark::DoNotOptimize(diff);
  }
}
BENCHMARK(BM_Diff10kEventsApart)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// Every flag of an organization of 1,000 flags evaluated at a random past moment.
void BM_OrganizationEvaluationAtPast(benchmark::State& state) {
  const EventLog& log = WideLog();
  std::mt19937_64 random(5);
  for (auto _ : state) {
    Timestamp at =
        Timestamp::FromMicros(kStart + static_cast<std::int64_t>(random() % (kEvents * 1000)));
    auto sequence = log.SequenceAt(at);
    auto flags = OrganizationAt(log, SyntheticOrganization(random() % 10), *sequence);
    if (!flags.ok()) state.SkipWithError(flags.status().detail().c_str());
    int on = 0;
    for (const auto& record : *flags) on += Evaluate(record->flag, "3.1.0", at).value;
    benchmark::DoNotOptimize(on);
  }
}
BENCHMARK(BM_OrganizationEvaluationAtPast)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace flagledger

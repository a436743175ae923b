// Micro-benchmarks of the hot pieces, each alone: SemVer, the event codec, folding events,
// a full rebuild from the log, rendering, and the request path from a parsed request to the
// response bytes (Api::Handle, no sockets).
#include <benchmark/benchmark.h>

#include <future>
#include <random>

#include "bench/kept_fixtures.h"
#include "bench/synthetic_log.h"
#include "core/clock.h"
#include "core/flag_json.h"
#include "core/semver.h"
#include "core/sha256.h"
#include "events/event_chain.h"
#include "events/event_codec.h"
#include "events/event_log.h"
#include "http/api.h"
#include "projections/flag_store.h"
#include "projections/projection_builder.h"
#include "projections/rebuild.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

const char* const kVersions[] = {"1.2.3", "10.20.30-rc.1+build.5", "2.0.0-alpha.beta.1", "0.0.4"};

void BM_SemVerParse(benchmark::State& state) {
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(SemVer::Parse(kVersions[i++ % 4]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SemVerParse);

void BM_SemVerCompare(benchmark::State& state) {
  std::vector<SemVer> versions;
  for (const char* text : kVersions) versions.push_back(SemVer::Parse(text).value());
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ComparePrecedence(versions[i % 4], versions[(i + 1) % 4]));
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SemVerCompare);

Event SampleEvent() {
  Event event;
  event.sequence = 123456;
  event.type = EventType::kFlagUpdated;
  event.organization_id = "org-nansen-akademiet";
  event.flag_key = "travel_reimbursement";
  event.version = 7;
  event.recorded_at = Timestamp::FromMicros(1'774'523'100'123'456);
  event.actor = "anonymous";
  event.request_id = "7f9c24e8a1b34c0d9e2f6a7b8c9d0e1f";
  Flag flag;
  flag.organization_id = event.organization_id;
  flag.flag_key = event.flag_key;
  flag.enabled = true;
  flag.rollout_condition = RolloutCondition{SemVer::Parse("2.4.0").value(),
                                            Timestamp::FromMicros(1'768'435'200'000'000)};
  flag.created_at = Timestamp::FromMicros(1'761'984'000'000'000);
  flag.updated_at = Timestamp::FromMicros(1'774'523'100'000'000);
  event.changes.enabled = EnabledChange{false, true};
  event.flag = flag;
  return event;
}

void BM_EventEncode(benchmark::State& state) {
  Event event = SampleEvent();
  for (auto _ : state) benchmark::DoNotOptimize(EncodeEvent(event));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EventEncode);

// What Append spends per event on the hash chain: the encoding plus one SHA-256 of it.
void BM_EventEncodeChained(benchmark::State& state) {
  Event event = SampleEvent();
  for (auto _ : state) benchmark::DoNotOptimize(EncodeChainedEvent(event, kGenesisHash));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EventEncodeChained);

void BM_EventDecode(benchmark::State& state) {
  std::string json = EncodeEvent(SampleEvent());
  EventDecoder decoder;
  for (auto _ : state) benchmark::DoNotOptimize(decoder.Decode(json));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EventDecode);

void BM_RenderFlag(benchmark::State& state) {
  Flag flag = *SampleEvent().flag;
  for (auto _ : state) benchmark::DoNotOptimize(FlagJson(flag));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RenderFlag);

// One write's fold: one event into a projection of O organizations x N flags (args O, N):
// what a batch of one write costs the writer besides the log, by the size of the organization
// written and the number of organizations.
void BM_ProjectionApplyOneEvent(benchmark::State& state) {
  const auto organizations = static_cast<std::uint64_t>(state.range(0));
  const auto flags_per_org = static_cast<std::uint64_t>(state.range(1));
  ProjectionBuilder initial;
  std::uint64_t sequence = 0;
  Event event = SampleEvent();
  for (std::uint64_t o = 0; o < organizations; ++o) {
    for (std::uint64_t f = 0; f < flags_per_org; ++f) {
      event.organization_id = event.flag->organization_id = SyntheticOrganization(o);
      event.flag_key = event.flag->flag_key = SyntheticFlagKey(f);
      event.sequence = ++sequence;
      initial.Apply(event);
    }
  }
  auto base = initial.Build();
  event.organization_id = event.flag->organization_id = SyntheticOrganization(organizations / 2);
  event.flag_key = event.flag->flag_key = SyntheticFlagKey(flags_per_org / 2);
  for (auto _ : state) {
    ProjectionBuilder builder(base);
    event.sequence = ++sequence;
    builder.Apply(event);
    benchmark::DoNotOptimize(builder.Build());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProjectionApplyOneEvent)
    ->Args({1000, 20})
    ->Args({1000, 1000})
    ->Args({1, 100'000})
    ->Args({1, 1'000'000})
    ->Args({100'000, 10});

// The whole start-up fold with no snapshot, events/s.
void BM_RebuildFromLog(benchmark::State& state) {
  EventLog& log = KeptSyntheticLog({static_cast<std::uint64_t>(state.range(0)), 1000, 100});
  for (auto _ : state) benchmark::DoNotOptimize(RebuildProjection(log));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RebuildFromLog)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

// Api::Handle from a parsed request to the response, with a store of 1,000 x 20 flags and
// one API token: `open` without authentication, `authenticated` with it, `no_page_cache`
// without authentication and without kept list pages.
struct ApiFixture {
  static constexpr char kAuthorization[] =
      "Bearer flt_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  TempDir dir;
  std::unique_ptr<EventLog> log;
  SystemClock clock;
  std::unique_ptr<FlagStore> store;
  std::unique_ptr<Api> open, authenticated, no_page_cache;
  ApiFixture() {
    BuildSyntheticLog(dir.path(), {20'000, 1000, 20});
    log = EventLog::Open(dir.path(), EventLogOptions{}).value();
    store = std::make_unique<FlagStore>(*log, clock);
    (void)store->Start();
    std::promise<void> created;
    store->Submit(Command{std::string(kSystemStream), "tok_bench",
                          CreateToken{"bench", "org-0007", Role::kRead,
                                      Sha256Hex(std::string_view(kAuthorization).substr(7))}},
                  {"bench", "r"}, [&](WriteOutcome) { created.set_value(); });
    created.get_future().wait();
    open = std::make_unique<Api>(*store, AuthMode::kOff);
    authenticated = std::make_unique<Api>(*store, AuthMode::kOn);
    no_page_cache = std::make_unique<Api>(*store, AuthMode::kOff, nullptr, 0);
  }
};

enum class ApiKind { kOpen, kWithToken, kNoPageCache };

void RequestPath(benchmark::State& state, std::string_view target, ApiKind kind = ApiKind::kOpen) {
  static ApiFixture& fixture = KeepForTheRun(std::make_unique<ApiFixture>());
  HttpRequest request;
  request.method = "GET";
  request.target = target;
  request.request_id = "0123456789abcdef0123456789abcdef";
  if (kind == ApiKind::kWithToken) request.authorization = ApiFixture::kAuthorization;
  Api& api = kind == ApiKind::kWithToken     ? *fixture.authenticated
             : kind == ApiKind::kNoPageCache ? *fixture.no_page_cache
                                             : *fixture.open;
  std::size_t bytes = 0;
  for (auto _ : state) {
    api.Handle(request, [&](HttpResponse response) { bytes += response.body_bytes().size(); });
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["body_bytes"] =
      static_cast<double>(bytes) / static_cast<double>(state.iterations());
}

void BM_RequestPathSingleFlag(benchmark::State& state) {
  RequestPath(state, "/api/v1/organizations/org-0007/feature-flags/flag-000003");
}
BENCHMARK(BM_RequestPathSingleFlag);

void BM_RequestPathSingleFlagWithToken(benchmark::State& state) {
  RequestPath(state, "/api/v1/organizations/org-0007/feature-flags/flag-000003",
              ApiKind::kWithToken);
}
BENCHMARK(BM_RequestPathSingleFlagWithToken);

void BM_RequestPathListPage(benchmark::State& state) {
  RequestPath(state, "/api/v1/organizations/org-0007/feature-flags?limit=20");
}
BENCHMARK(BM_RequestPathListPage);

// A page rendered for each request (as when another page of the organization was read last,
// or with --page-cache-mb 0). Another organization: the pages kept live in its state, where
// the Api above left one.
void BM_RequestPathListPageRendered(benchmark::State& state) {
  RequestPath(state, "/api/v1/organizations/org-0008/feature-flags?limit=20",
              ApiKind::kNoPageCache);
}
BENCHMARK(BM_RequestPathListPageRendered);

}  // namespace
}  // namespace flagledger

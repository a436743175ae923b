// Reverts and restores through the whole server (HTTP, the point read from the log's indexes,
// the writer's decision, one durable WriteBatch): an organization restore of 1,000 flags (each
// iteration puts every flag back, alternating between two points, so each appends 1,000
// flag.reverted events), its dry run, and a one-flag revert and an update beside them in the
// same run as the baseline.
//
// Run: build/release/bench/restore_bench --benchmark_repetitions=5
//          --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "bench/bench_server.h"
#include "tests/testing/http_client.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

constexpr int kFlags = 1000;
const std::string kOrganization = "/api/v1/organizations/restore-bench";

std::unique_ptr<TempDir> server_dir;
std::unique_ptr<ServerProcess> server;
std::uint64_t point_a = 0, point_b = 0;  // all flags off, all flags on

std::uint64_t NewestSequence(HttpClient& client) {
  std::string page = client.Send("GET", kOrganization + "/events?order=desc&limit=1").body;
  return std::stoull(page.substr(page.find("{\"sequence\":") + 12));
}

// A fresh server (fsync durability, the default) with 1,000 flags created off, then all on.
void StartServer(const benchmark::State&) {
  server_dir = std::make_unique<TempDir>();
  server = StartBenchServer(*server_dir);
  HttpClient client(server->port());
  for (int i = 0; i < kFlags; ++i) {
    client.Send("POST", kOrganization + "/feature-flags",
                R"({"flag_key":"flag-)" + std::to_string(i) + R"(","enabled":false})");
  }
  point_a = NewestSequence(client);
  for (int i = 0; i < kFlags; ++i) {
    client.Send("PUT", kOrganization + "/feature-flags/flag-" + std::to_string(i),
                R"({"enabled":true,"rollout_condition":{"min_version":"2.0.0"}})");
  }
  point_b = NewestSequence(client);
}

void StopServer(const benchmark::State&) {
  server->Stop();
  server.reset();
  server_dir.reset();
}

void Expect200(benchmark::State& state, const HttpResult& result) {
  if (result.status != 200) {
    state.SkipWithError(("status " + std::to_string(result.status) + ": " + result.body).c_str());
  }
}

void BM_HttpRestore1000Flags(benchmark::State& state) {
  HttpClient client(server->port());
  bool to_a = true;
  for (auto _ : state) {
    std::uint64_t point = to_a ? point_a : point_b;
    HttpResult result = client.Send("POST", kOrganization + "/restore",
                                    "{\"to_event\":" + std::to_string(point) + "}");
    Expect200(state, result);
    to_a = !to_a;
  }
  state.SetItemsProcessed(state.iterations() * kFlags);
}
BENCHMARK(BM_HttpRestore1000Flags)
    ->Iterations(20)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Setup(StartServer)
    ->Teardown(StopServer);

void BM_HttpRestorePlan1000Flags(benchmark::State& state) {
  HttpClient client(server->port());
  for (auto _ : state) {
    Expect200(state,
              client.Send("POST", kOrganization + "/restore",
                          "{\"to_event\":" + std::to_string(point_a) + ",\"dry_run\":true}"));
  }
}
BENCHMARK(BM_HttpRestorePlan1000Flags)
    ->Iterations(20)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Setup(StartServer)
    ->Teardown(StopServer);

// The baselines: one flag reverted (alternating, so each appends an event), one flag updated.
void BM_HttpRevertOneFlag(benchmark::State& state) {
  HttpClient client(server->port());
  bool to_a = true;
  for (auto _ : state) {
    std::uint64_t point = to_a ? point_a : point_b;
    Expect200(state, client.Send("POST", kOrganization + "/feature-flags/flag-7/revert",
                                 "{\"to_event\":" + std::to_string(point) + "}"));
    to_a = !to_a;
  }
}
BENCHMARK(BM_HttpRevertOneFlag)
    ->Iterations(200)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Setup(StartServer)
    ->Teardown(StopServer);

void BM_HttpUpdateOneFlag(benchmark::State& state) {
  HttpClient client(server->port());
  bool enabled = false;
  for (auto _ : state) {
    Expect200(state, client.Send("PUT", kOrganization + "/feature-flags/flag-7",
                                 enabled ? R"({"enabled":true})" : R"({"enabled":false})"));
    enabled = !enabled;
  }
}
BENCHMARK(BM_HttpUpdateOneFlag)
    ->Iterations(200)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Setup(StartServer)
    ->Teardown(StopServer);

}  // namespace
}  // namespace flagledger

BENCHMARK_MAIN();

// Durable writes per second through the whole server (HTTP, validation, group commit, fsync)
// with 1, 8 and 64 concurrent clients, beside a raw RocksDB baseline in the same run: synced
// WriteBatches of the same events and index entries, 1, 8 or 64 events per batch, no HTTP.
//
// Run: build/release/bench/write_throughput_bench --benchmark_min_time=3
// Each HTTP run starts a fresh server and, when it is done, prints the writer's mean batch
// size (from the server's "stopped" log line), to compare with BM_RawSyncedBatch at that size.
// Creates go round-robin over 1,000 organizations; BM_HttpCreateOneOrganization puts them all
// in one: every batch then publishes a new version of that organization's growing flag list
// (the chunks the batch changed and the chunk table; see projections/sorted_chunks.h).
#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <regex>

#include "bench/bench_server.h"
#include "events/event_codec.h"
#include "events/log_keys.h"
#include "tests/testing/http_client.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

// A fresh server (fsync durability, the default) per benchmark run.
std::unique_ptr<TempDir> server_dir;
std::unique_ptr<ServerProcess> server;
std::atomic<std::uint64_t> next_key{0};

void StartServer(const benchmark::State&) {
  server_dir = std::make_unique<TempDir>();
  server = StartBenchServer(*server_dir);
}

void StopServer(const benchmark::State& state) {
  server->Stop();
  std::smatch match;
  std::string log = server->Log();
  if (std::regex_search(log, match,
                        std::regex(R"re("write_batches":(\d+),"write_commands":(\d+))re"))) {
    double batches = std::stod(match[1]), commands = std::stod(match[2]);
    std::fprintf(stderr, "  threads:%d  mean batch size %.2f (%.0f commands in %.0f batches)\n",
                 state.threads(), commands / batches, commands, batches);
  }
  server.reset();
  server_dir.reset();
}

void CreateFlags(benchmark::State& state, std::uint64_t organizations) {
  HttpClient client(server->port());
  for (auto _ : state) {
    std::uint64_t n = next_key.fetch_add(1);
    std::string base =
        "/api/v1/organizations/bench-" + std::to_string(n % organizations) + "/feature-flags";
    HttpResult result =
        client.Send("POST", base, R"({"flag_key":"k)" + std::to_string(n) + R"(","enabled":true})");
    if (result.status != 201)
      state.SkipWithError(("status " + std::to_string(result.status)).c_str());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_HttpCreate(benchmark::State& state) { CreateFlags(state, 1000); }
BENCHMARK(BM_HttpCreate)
    ->Threads(1)
    ->Threads(8)
    ->Threads(64)
    ->UseRealTime()
    ->Setup(StartServer)
    ->Teardown(StopServer);

void BM_HttpCreateOneOrganization(benchmark::State& state) { CreateFlags(state, 1); }
BENCHMARK(BM_HttpCreateOneOrganization)
    ->Threads(64)
    ->UseRealTime()
    ->Setup(StartServer)
    ->Teardown(StopServer);

// The same work as the writer's WriteBatch, minus everything else.
void BM_RawSyncedBatch(benchmark::State& state) {
  TempDir dir;
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name :
       {rocksdb::kDefaultColumnFamilyName, std::string("events"), std::string("flag_events"),
        std::string("org_events"), std::string("time_index")}) {
    families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir.path(), families, &handles, &raw).ok()) {
    state.SkipWithError("cannot open RocksDB");
    return;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions synced;
  synced.sync = true;
  const std::int64_t batch_size = state.range(0);
  std::uint64_t sequence = 0;
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    for (std::int64_t i = 0; i < batch_size; ++i) {
      Event event;
      event.sequence = ++sequence;
      event.organization_id = "bench";
      event.flag_key = "k" + std::to_string(sequence);
      event.version = 1;
      event.recorded_at =
          Timestamp::FromMicros(1'767'225'600'000'000 + static_cast<std::int64_t>(sequence));
      event.actor = "anonymous";
      event.request_id = "0123456789abcdef0123456789abcdef";
      event.changes.enabled = EnabledChange{std::nullopt, true};
      event.changes.rollout_condition = RolloutChange{};
      Flag flag;
      flag.organization_id = event.organization_id;
      flag.flag_key = event.flag_key;
      flag.enabled = true;
      event.flag = flag;
      std::string version;
      internal::AppendBigEndian(version, 1);
      (void)batch.Put(handles[1], internal::SequenceKey(sequence), EncodeEvent(event));
      (void)batch.Put(handles[2], internal::FlagEventsKey("bench", event.flag_key, sequence),
                      version);
      (void)batch.Put(handles[3], internal::OrgEventsKey("bench", sequence), "");
      (void)batch.Put(handles[4], internal::TimeIndexKey(event.recorded_at, sequence), "");
    }
    if (!db->Write(synced, &batch).ok()) state.SkipWithError("write failed");
  }
  state.SetItemsProcessed(state.iterations() * batch_size);
  for (auto* handle : handles) (void)db->DestroyColumnFamilyHandle(handle);
}
BENCHMARK(BM_RawSyncedBatch)->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(16)->Arg(64)->UseRealTime();

}  // namespace
}  // namespace flagledger

BENCHMARK_MAIN();

// main() of the Google Benchmark executables: BENCHMARK_MAIN's steps, then the kept fixtures
// are destroyed while RocksDB is still whole (see kept_fixtures.h).
#include <benchmark/benchmark.h>

#include "bench/kept_fixtures.h"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  flagledger::ReleaseKeptFixtures();
  benchmark::Shutdown();
  return 0;
}

// main() of the Google Benchmark executables: BENCHMARK_MAIN's steps, then the kept fixtures
// are destroyed while RocksDB is still whole (see kept_fixtures.h).
#include <benchmark/benchmark.h>

#include "bench/kept_fixtures.h"

namespace flagledger {

std::vector<std::shared_ptr<void>>& KeptFixtures() {
  static std::vector<std::shared_ptr<void>> fixtures;
  return fixtures;
}

}  // namespace flagledger

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  auto& kept = flagledger::KeptFixtures();
  while (!kept.empty()) kept.pop_back();
  benchmark::Shutdown();
  return 0;
}

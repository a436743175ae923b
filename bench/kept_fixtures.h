// Fixtures that benchmarks build once and reuse across runs (RocksDB logs, stores).
// Kept here rather than in function-local statics: a static that owns a RocksDB is destroyed
// at exit after RocksDB's own statics, and closing it then crashes in RocksDB's logger.
// bench_main.cc destroys the kept fixtures, newest first, before main returns.
#pragma once

#include <memory>
#include <vector>

namespace flagledger {

std::vector<std::shared_ptr<void>>& KeptFixtures();

// Keeps `fixture` until the benchmarks have run; returns it.
template <typename T>
T& KeepForTheRun(std::unique_ptr<T> fixture) {
  T& kept = *fixture;
  KeptFixtures().push_back(std::shared_ptr<T>(std::move(fixture)));
  return kept;
}

}  // namespace flagledger

// Fixtures that benchmarks build once and reuse across runs (RocksDB logs, stores).
// Kept here rather than in function-local statics: a static that owns a RocksDB is destroyed
// at exit after RocksDB's own statics, and closing it then crashes in RocksDB's logger.
// ReleaseKeptFixtures (called by bench_main.cc before main returns) destroys them, newest first.
#pragma once

#include <memory>
#include <vector>

#include "bench/synthetic_log.h"
#include "events/event_log.h"

namespace flagledger {

std::vector<std::shared_ptr<void>>& KeptFixtures();
void ReleaseKeptFixtures();

// Keeps `fixture` until the benchmarks have run; returns it.
template <typename T>
T& KeepForTheRun(std::unique_ptr<T> fixture) {
  T& kept = *fixture;
  KeptFixtures().push_back(std::shared_ptr<T>(std::move(fixture)));
  return kept;
}

// A log of `shape` in a temporary directory, built on the first call for that shape and block
// cache size and kept for the run (valid until ReleaseKeptFixtures).
EventLog& KeptSyntheticLog(const SyntheticLogShape& shape, const EventLogOptions& options = {});

}  // namespace flagledger

// make_synthetic_data_dir DIR EVENTS ORGANIZATIONS FLAGS_PER_ORGANIZATION: a data directory
// holding a synthetic log (bench/synthetic_log.h), for load scripts that serve a long history
// (bench/load/export_rate.sh). The server rebuilds its projection from the log at start.
#include <cstdio>
#include <exception>
#include <string>

#include "bench/synthetic_log.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s DIR EVENTS ORGANIZATIONS FLAGS_PER_ORGANIZATION\n", argv[0]);
    return 2;
  }
  try {
    flagledger::SyntheticLogShape shape{std::stoull(argv[2]), std::stoull(argv[3]),
                                        std::stoull(argv[4])};
    flagledger::BuildSyntheticLog(argv[1], shape);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "make_synthetic_data_dir: %s\n", error.what());
    return 1;
  }
  return 0;
}

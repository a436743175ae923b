// The real server for one HTTP benchmark run: a fresh data directory, fsync durability (the
// default), no access log and no snapshots, so that a run measures the requests alone.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {

// Starts a server on a data directory inside `dir`. REQUIRES: `dir` outlives the server.
inline std::unique_ptr<ServerProcess> StartBenchServer(const TempDir& dir) {
  auto server = std::make_unique<ServerProcess>(
      dir.Sub("data"), std::vector<std::string>{"--access-log", "off", "--snapshot-every", "0"});
  server->Start();
  return server;
}

}  // namespace flagledger

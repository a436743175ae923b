// `flagledger serve`: the server process.
#pragma once

#include <string>
#include <vector>

namespace flagledger {

// Runs the server until SIGINT or SIGTERM; returns the process exit code.
int RunServe(const std::vector<std::string>& args);

}  // namespace flagledger

// The flagledger executable: `flagledger serve` and the offline commands.
#include <sys/stat.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/build_info.h"
#include "tools/offline_commands.h"
#include "tools/serve_command.h"

namespace {

constexpr char kUsage[] =
    R"(Usage: flagledger COMMAND [options]

An event-sourced feature-flag store.

Commands:
  serve     serve the REST API
  history   print events: the log's, an organization's or a flag's, filtered
  diff      what changed in an organization between two points
  replay    rebuild the flags from the raw event log, at any past point
  verify    check the log, its indexes and the snapshots against a replay
  token     create, list and revoke API tokens
  backup    back up a data directory, also while a server runs on it; list backups
  restore   restore a backup into a data directory
  cluster   the state of a cluster on etcd (`flagledger cluster status`)
  version   print the version and the commit it was built from (also --version)
  help      this text

`flagledger COMMAND --help` describes each command.
)";

}  // namespace

int main(int argc, char** argv) {
  // What the commands create (the log, snapshots, spool, backups) is the user's alone.
  ::umask(077);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "version" || args[0] == "--version") {
    std::printf("flagledger %.*s (commit %.*s)\n",
                static_cast<int>(flagledger::kBuildVersion.size()),
                flagledger::kBuildVersion.data(), static_cast<int>(flagledger::kBuildCommit.size()),
                flagledger::kBuildCommit.data());
    return 0;
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "serve") return flagledger::RunServe(args);
  if (command == "history") return flagledger::RunHistory(args);
  if (command == "diff") return flagledger::RunDiff(args);
  if (command == "replay") return flagledger::RunReplay(args);
  if (command == "verify") return flagledger::RunVerify(args);
  if (command == "token") return flagledger::RunToken(args);
  if (command == "backup") return flagledger::RunBackup(args);
  if (command == "restore") return flagledger::RunRestore(args);
  if (command == "cluster") return flagledger::RunCluster(args);
  std::fprintf(stderr, "flagledger: unknown command '%s'\n\n%s", command.c_str(), kUsage);
  return 2;
}

// The flagledger executable: `flagledger serve` and the offline commands.
#include <cstdio>
#include <string>
#include <vector>

#include "tools/serve_command.h"

namespace {

constexpr char kUsage[] =
    R"(Usage: flagledger COMMAND [options]

An event-sourced feature-flag store.

Commands:
  serve     serve the REST API (flagledger serve --help)
  help      this text
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "serve") return flagledger::RunServe(args);
  std::fprintf(stderr, "flagledger: unknown command '%s'\n\n%s", command.c_str(), kUsage);
  return 2;
}

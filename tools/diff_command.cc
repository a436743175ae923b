// `flagledger diff`: what changed in an organization between two points, offline.
#include <cstdio>
#include <limits>

#include "core/identifier.h"
#include "events/event_log.h"
#include "http/audit_handlers.h"
#include "http/history_query.h"
#include "projections/organization_diff.h"
#include "tools/command_options.h"
#include "tools/offline_commands.h"

namespace flagledger {
namespace {

constexpr char kHelp[] =
    R"(Usage: flagledger diff --data-dir DIR --org ORG (--from TIME | --from-event N)
         [--to TIME | --to-event N]

Prints, as the JSON of GET /api/v1/organizations/{org}/diff (docs/api.md, "Diff"), every flag
of ORG whose state differs between the two points -- its state at both ends and the events
that changed it -- all flags at once, not paged. TIME is RFC 3339 or a date alone (midnight
UTC); a time stands for the newest event recorded at or before it. --to defaults to the
newest event. Safe to run while a server uses DIR.
)";

}  // namespace

int RunDiff(const std::vector<std::string>& args) {
  auto options =
      ParseCommandOptions(args, {"data-dir", "org", "from", "from-event", "to", "to-event"}, {});
  auto usage = [](const std::string& message) {
    std::fprintf(stderr, "flagledger diff: %s\n", message.c_str());
    return 2;
  };
  if (!options.ok()) return usage(options.status().detail());
  if (options->has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!options->has("data-dir") || !options->has("org")) {
    return usage(std::string("--data-dir and --org are required\n\n") + kHelp);
  }
  const std::string& org = options->get("org");
  if (!IsValidIdentifier(org)) return usage("--org must be a valid organization id");
  auto log = OpenLogForReading(options->get("data-dir"), "diff");
  if (!log) return 1;
  ParamLookup param = OptionsAsParams(*options);

  auto from = ResolveLogPoint(*log, param, "from", "from_event", true);
  if (!from.ok()) return usage(from.status().detail());
  auto to = ResolveLogPoint(*log, param, "to", "to_event", false);
  if (!to.ok()) return usage(to.status().detail());
  if (from->sequence > to->sequence) return usage("the --from point is after the --to point");
  auto diff = DiffOrganization(*log, org, from->sequence, to->sequence, "",
                               std::numeric_limits<std::size_t>::max());
  if (!diff.ok()) {
    std::fprintf(stderr, "flagledger diff: %s\n", diff.status().detail().c_str());
    return 1;
  }
  std::string json = OrganizationDiffJson(org, *from, *to, *diff);
  std::printf("%s\n", json.c_str());
  return 0;
}

}  // namespace flagledger

// `flagledger history`: a flag's or an organization's events, as a table or JSON lines.
#include <cstdio>

#include "core/flag_json.h"
#include "core/identifier.h"
#include "events/event_codec.h"
#include "events/event_log.h"
#include "tools/command_options.h"
#include "tools/offline_commands.h"

namespace flagledger {
namespace {

constexpr char kHelp[] = R"(Usage: flagledger history --data-dir DIR --org ORG [--flag KEY] [--json]

Prints the events of an organization, or of one flag key over its whole lifecycle (also after
a delete), oldest first: as a table, or with --json as one event per line exactly as the API
renders it. `--org _system` shows the token events. Safe to run while a server uses DIR.
)";

std::string ChangesText(const EventChanges& changes) {
  std::string text;
  if (changes.enabled) {
    text += "enabled: ";
    text += changes.enabled->from ? (*changes.enabled->from ? "true" : "false") : "null";
    text += changes.enabled->to ? " -> true" : " -> false";
  }
  if (changes.rollout_condition) {
    if (!text.empty()) text += "; ";
    text += "rollout_condition: ";
    AppendRolloutJson(text, changes.rollout_condition->from);
    text += " -> ";
    AppendRolloutJson(text, changes.rollout_condition->to);
  }
  return text.empty() ? "-" : text;
}

}  // namespace

int RunHistory(const std::vector<std::string>& args) {
  auto options = ParseCommandOptions(args, {"data-dir", "org", "flag"}, {"json"});
  if (!options.ok()) {
    std::fprintf(stderr, "flagledger history: %s\n", options.status().detail().c_str());
    return 2;
  }
  if (options->has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!options->has("data-dir") || !options->has("org")) {
    std::fprintf(stderr, "flagledger history: --data-dir and --org are required\n\n%s", kHelp);
    return 2;
  }
  const std::string& org = options->get("org");
  std::string flag = options->has("flag") ? options->get("flag") : "";
  bool org_valid = IsValidIdentifier(org) || org == kSystemStream;
  if (!org_valid || (options->has("flag") && !IsValidIdentifier(flag))) {
    std::fprintf(stderr, "flagledger history: --org and --flag must be valid identifiers\n");
    return 2;
  }
  auto log = OpenLogForReading(options->get("data-dir"), "history");
  if (!log) return 1;
  bool json = options->has("json");
  if (!json) {
    std::printf("%-8s %-27s %-21s %-24s %-4s %-12s %s\n", "SEQ", "RECORDED_AT", "TYPE", "FLAG",
                "VER", "ACTOR", "CHANGES");
  }
  EventDecoder decoder;
  std::string failure;
  EventVisitor print = [&](std::uint64_t, std::string_view event_json) {
    if (json) {
      std::printf("%.*s\n", static_cast<int>(event_json.size()), event_json.data());
      return true;
    }
    auto event = decoder.Decode(event_json);
    if (!event.ok()) {
      failure = event.status().detail();
      return false;
    }
    std::printf("%-8llu %-27s %-21s %-24s %-4llu %-12s %s\n",
                static_cast<unsigned long long>(event->sequence),
                event->recorded_at.ToMicrosString().c_str(),
                std::string(EventTypeName(event->type)).c_str(), event->flag_key.c_str(),
                static_cast<unsigned long long>(event->version), event->actor.c_str(),
                ChangesText(event->changes).c_str());
    return true;
  };
  Status scanned = flag.empty() ? log->ScanOrganization(org, EventRange{}, print)
                                : log->ScanFlag(org, flag, EventRange{}, print);
  if (!scanned.ok() || !failure.empty()) {
    std::fprintf(stderr, "flagledger history: %s\n",
                 scanned.ok() ? failure.c_str() : scanned.detail().c_str());
    return 1;
  }
  return 0;
}

}  // namespace flagledger

// `flagledger history`: the log's, an organization's or a flag's events, filtered as the
// history endpoints filter them, as a table, NDJSON or CSV.
#include <cstdio>

#include "core/flag_json.h"
#include "core/identifier.h"
#include "events/event_codec.h"
#include "events/event_csv.h"
#include "events/event_log.h"
#include "http/history_query.h"
#include "tools/command_options.h"
#include "tools/offline_commands.h"

namespace flagledger {
namespace {

constexpr char kHelp[] = R"(Usage: flagledger history --data-dir DIR [--org ORG [--flag KEY]]
         [--from TIME] [--to TIME] [--actor NAME] [--type TYPE[,TYPE...]]
         [--flag-key KEY | --flag-key-prefix PREFIX] [--after N] [--before N]
         [--order asc|desc] [--limit N] [--format table|ndjson|csv]

Prints events oldest first (--order desc: newest first): the whole log's (token events
included), an organization's, or one flag key's over its whole lifecycle (also after a
delete). The filters are the history endpoints' (docs/api.md, "History filters"): --from is
inclusive and --to exclusive (RFC 3339, or a date alone for its midnight UTC), --actor and
--type match exactly, --flag-key and --flag-key-prefix need --org. --format ndjson prints each
event exactly as the API renders it, one per line (--json is the same); csv the export's
columns. `--org _system` shows the token events. Safe to run while a server uses DIR.
)";

std::string ChangesText(const Event& event) {
  const EventChanges& changes = event.changes;
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
  if (event.previous) text = "deleted: " + FlagJson(*event.previous);
  if (event.reverted_to) {
    text += text.empty() ? "" : "; ";
    text += "as at event " + std::to_string(event.reverted_to->to_event);
    if (!event.restore_id.empty()) text += " (restore " + event.restore_id + ")";
  }
  return text.empty() ? "-" : text;
}

}  // namespace

int RunHistory(const std::vector<std::string>& args) {
  auto options =
      ParseCommandOptions(args,
                          {"data-dir", "org", "flag", "from", "to", "actor", "type", "flag-key",
                           "flag-key-prefix", "after", "before", "order", "limit", "format"},
                          {"json"});
  auto usage = [](const std::string& message) {
    std::fprintf(stderr, "flagledger history: %s\n", message.c_str());
    return 2;
  };
  if (!options.ok()) return usage(options.status().detail());
  if (options->has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!options->has("data-dir")) return usage(std::string("--data-dir is required\n\n") + kHelp);
  std::string org = options->has("org") ? options->get("org") : "";
  std::string flag = options->has("flag") ? options->get("flag") : "";
  if (options->has("org") && !IsValidIdentifier(org) && org != kSystemStream) {
    return usage("--org must be a valid organization id");
  }
  if (options->has("flag") && (org.empty() || !IsValidIdentifier(flag))) {
    return usage("--flag needs --org and a valid flag key");
  }
  if ((options->has("flag-key") || options->has("flag-key-prefix")) &&
      (org.empty() || !flag.empty())) {
    return usage("--flag-key and --flag-key-prefix filter an organization's events: give --org");
  }
  std::string format = options->has("format") ? options->get("format") : "table";
  if (options->has("json")) format = "ndjson";
  if (format != "table" && format != "ndjson" && format != "csv") {
    return usage("--format must be table, ndjson or csv");
  }
  auto log = OpenLogForReading(options->get("data-dir"), "history");
  if (!log) return 1;
  ParamLookup param = OptionsAsParams(*options);

  HistoryView view = !flag.empty()  ? HistoryView::kFlag
                     : !org.empty() ? HistoryView::kOrganization
                                    : HistoryView::kLog;
  auto query = ParseHistoryQuery(*log, param, view, /*exporting=*/true);
  if (!query.ok()) return usage(query.status().detail());
  query->filter.organization_id = org;
  if (!flag.empty()) query->filter.flag_key = flag;

  if (format == "table") {
    std::printf("%-8s %-27s %-21s %-24s %-4s %-12s %s\n", "SEQ", "RECORDED_AT", "TYPE", "FLAG",
                "VER", "ACTOR", "CHANGES");
  }
  std::string csv;
  if (format == "csv") AppendEventCsvHeader(csv);
  EventDecoder decoder;
  std::string failure;
  EventVisitor print = [&](std::uint64_t, std::string_view event_json) {
    if (format == "ndjson") {
      std::printf("%.*s\n", static_cast<int>(event_json.size()), event_json.data());
      return true;
    }
    auto event = decoder.Decode(event_json);
    if (!event.ok()) {
      failure = event.status().detail();
      return false;
    }
    if (format == "csv") {
      AppendEventCsvRows(csv, *event);
      std::fwrite(csv.data(), 1, csv.size(), stdout);
      csv.clear();
      return true;
    }
    std::printf(
        "%-8llu %-27s %-21s %-24s %-4llu %-12s %s\n",
        static_cast<unsigned long long>(event->sequence),
        event->recorded_at.ToMicrosString().c_str(),
        std::string(EventTypeName(event->type)).c_str(), event->flag_key.c_str(),
        static_cast<unsigned long long>(event->version), event->actor.c_str(),
        (ChangesText(*event) + (event->reason.empty() ? "" : "  (" + event->reason + ")")).c_str());
    return true;
  };
  if (!csv.empty()) std::fwrite(csv.data(), 1, csv.size(), stdout);
  csv.clear();
  Status scanned = log->Query(query->filter, query->range, print);
  if (!scanned.ok() || !failure.empty()) {
    std::fprintf(stderr, "flagledger history: %s\n",
                 scanned.ok() ? failure.c_str() : scanned.detail().c_str());
    return 1;
  }
  return 0;
}

}  // namespace flagledger

// `flagledger replay`: the state rebuilt from the raw event log alone.
#include <cstdio>
#include <limits>

#include "core/identifier.h"
#include "events/event_codec.h"
#include "events/event_log.h"
#include "projections/projection_builder.h"
#include "tools/command_options.h"
#include "tools/offline_commands.h"

namespace flagledger {
namespace {

constexpr char kHelp[] =
    R"(Usage: flagledger replay --data-dir DIR [--org ORG] [--as-of TIME | --as-of-event N]

Rebuilds the flags from the raw event log alone -- no snapshot, no index -- and prints them
as JSON, one flag per line, each exactly the body GET .../feature-flags/{key} returns; all
organizations, or only ORG. With --as-of-event N the state right after event N; with
--as-of TIME (RFC 3339) the state after every event recorded at or before TIME.
A summary goes to stderr. Safe to run while a server uses DIR.
)";

}  // namespace

int RunReplay(const std::vector<std::string>& args) {
  auto options = ParseCommandOptions(args, {"data-dir", "org", "as-of", "as-of-event"}, {});
  auto usage = [](const std::string& message) {
    std::fprintf(stderr, "flagledger replay: %s\n", message.c_str());
    return 2;
  };
  if (!options.ok()) return usage(options.status().detail());
  if (options->has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!options->has("data-dir")) return usage("--data-dir is required");
  if (options->has("as-of") && options->has("as-of-event")) {
    return usage("give --as-of or --as-of-event, not both");
  }
  if (options->has("org") && !IsValidIdentifier(options->get("org"))) {
    return usage("--org must be a valid organization id");
  }
  std::uint64_t until_sequence = std::numeric_limits<std::uint64_t>::max();
  Timestamp until_time = Timestamp::FromMicros(std::numeric_limits<std::int64_t>::max());
  if (options->has("as-of-event")) {
    try {
      std::size_t used = 0;
      until_sequence = std::stoull(options->get("as-of-event"), &used);
      if (used != options->get("as-of-event").size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      return usage("--as-of-event must be an event sequence number");
    }
  }
  if (options->has("as-of")) {
    auto time = ParseRfc3339(options->get("as-of"));
    if (!time.ok()) return usage("--as-of " + time.status().detail());
    until_time = time->time;
  }

  auto log = OpenLogForReading(options->get("data-dir"), "replay");
  if (!log) return 1;
  ProjectionBuilder builder;
  EventDecoder decoder;
  std::string failure;
  std::uint64_t replayed = 0, expected = 1;
  Status scanned = log->Scan(EventRange{}, [&](std::uint64_t sequence, std::string_view json) {
    if (sequence > until_sequence) return false;
    auto event = decoder.Decode(json, EventDecoder::Parts::kWithoutChanges);
    if (!event.ok() || sequence != expected) {
      failure = event.ok() ? "the log has a gap at sequence " + std::to_string(expected)
                           : event.status().detail();
      return false;
    }
    if (event->recorded_at > until_time) return false;
    builder.Fold(std::move(event).value());
    ++replayed;
    ++expected;
    return true;
  });
  if (!scanned.ok() || !failure.empty()) {
    std::fprintf(stderr, "flagledger replay: %s\n",
                 scanned.ok() ? failure.c_str() : scanned.detail().c_str());
    return 1;
  }
  auto snapshot = builder.Build();
  std::size_t printed = 0;
  for (const auto& org : snapshot->organizations) {
    if (options->has("org") && org->organization_id() != options->get("org")) continue;
    for (const auto& record : org->flags()) {
      std::printf("%s\n", record->json.c_str());
      ++printed;
    }
  }
  std::fflush(stdout);  // the flags come before the summary, also when both share a pipe
  std::fprintf(stderr, "replayed %llu events up to sequence %llu; %zu flags\n",
               static_cast<unsigned long long>(replayed),
               static_cast<unsigned long long>(snapshot->sequence), printed);
  return 0;
}

}  // namespace flagledger

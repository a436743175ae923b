// `flagledger verify`: the log, its indexes and the snapshots checked against a fresh replay.
#include <cstdio>

#include "events/event_log.h"
#include "projections/rebuild.h"
#include "projections/snapshot_codec.h"
#include "projections/snapshot_store.h"
#include "tools/command_options.h"
#include "tools/offline_commands.h"

namespace flagledger {
namespace {

constexpr char kHelp[] = R"(Usage: flagledger verify --data-dir DIR

Checks a data directory and prints a summary:
  - the log: sequences 1..N without gaps, every event decodable and in time order, versions
    1, 2, ... per flag key;
  - the indexes: every entry matches its event, and no event lacks one;
  - the snapshots: each reads back intact and equals a replay of the log up to its sequence;
  - the projection the server would start from (newest snapshot + the log after it) equals a
    fresh replay of the whole log.
Exits 0 when everything matches, 1 on any mismatch. Safe to run while a server uses DIR.
)";

}  // namespace

int RunVerify(const std::vector<std::string>& args) {
  auto options = ParseCommandOptions(args, {"data-dir"}, {});
  if (!options.ok()) {
    std::fprintf(stderr, "flagledger verify: %s\n", options.status().detail().c_str());
    return 2;
  }
  if (options->has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!options->has("data-dir")) {
    std::fprintf(stderr, "flagledger verify: --data-dir is required\n");
    return 2;
  }
  const std::string& data_dir = options->get("data-dir");
  auto log = OpenLogForReading(data_dir, "verify");
  if (!log) return 1;
  std::size_t problems = 0;
  auto problem = [&](const std::string& text) {
    ++problems;
    std::printf("MISMATCH %s\n", text.c_str());
  };

  auto events = log->CheckIntegrity(problem);
  if (!events.ok()) {
    std::fprintf(stderr, "flagledger verify: %s\n", events.status().detail().c_str());
    return 1;
  }
  std::printf("log: %llu events checked against 3 indexes\n",
              static_cast<unsigned long long>(*events));

  // Snapshots, oldest first, each against the replay continued up to its sequence.
  SnapshotStore store(data_dir);
  auto entries = store.List();
  std::shared_ptr<const ProjectionSnapshot> replay;
  std::size_t snapshots_ok = 0;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    auto snapshot = store.Read(*it);
    if (!snapshot.ok()) {
      problem(it->path + ": " + snapshot.status().detail());
      continue;
    }
    if (it->sequence > log->last_sequence()) {
      problem(it->path + ": lies past the end of the log");
      continue;
    }
    auto replayed = RebuildProjection(*log, replay, it->sequence);
    if (!replayed.ok()) {
      problem("replay failed: " + replayed.status().detail());
      break;
    }
    replay = std::move(replayed).value();
    std::string difference;
    if (!SameProjection(**snapshot, *replay, &difference)) {
      problem(it->path + ": differs from the replay at " + difference);
    } else {
      ++snapshots_ok;
    }
  }
  std::printf("snapshots: %zu of %zu equal the replay\n", snapshots_ok, entries.size());

  // What the server would start from, against a fresh replay of everything.
  auto fresh = RebuildProjection(*log);
  auto newest = store.LoadNewest(log->last_sequence(), [](const std::string&) {});
  auto served = RebuildProjection(*log, newest);
  if (!fresh.ok() || !served.ok()) {
    problem("replay failed: " + (fresh.ok() ? served.status() : fresh.status()).detail());
  } else {
    std::string difference;
    if (!SameProjection(**served, **fresh, &difference)) {
      problem("the start-up projection differs from a fresh replay at " + difference);
    } else {
      std::printf(
          "projection: %zu flags in %zu organizations at sequence %llu equal a fresh replay\n",
          (*fresh)->FlagCount(), (*fresh)->organizations.size(),
          static_cast<unsigned long long>((*fresh)->sequence));
    }
  }
  std::printf("%s: %zu problem%s\n", problems == 0 ? "OK" : "FAILED", problems,
              problems == 1 ? "" : "s");
  return problems == 0 ? 0 : 1;
}

}  // namespace flagledger

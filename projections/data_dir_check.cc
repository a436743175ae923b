#include "projections/data_dir_check.h"

#include "projections/rebuild.h"
#include "projections/snapshot_codec.h"

namespace flagledger {

Result<DataDirCheck> CheckDataDir(const EventLog& log, const SnapshotStore& store,
                                  const std::function<void(const std::string&)>& on_problem) {
  DataDirCheck check;
  auto problem = [&](const std::string& text) {
    ++check.problems;
    on_problem(text);
  };
  auto events = log.CheckIntegrity(problem);
  if (!events.ok()) return events.status();
  check.events = *events;

  // Snapshots, oldest first, each against the replay continued up to its sequence.
  auto entries = store.List();
  check.snapshots = entries.size();
  std::shared_ptr<const ProjectionSnapshot> replay;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    auto snapshot = store.Read(*it);
    if (!snapshot.ok()) {
      problem(it->path + ": " + snapshot.status().detail());
      continue;
    }
    if (it->sequence > log.last_sequence()) {
      problem(it->path + ": lies past the end of the log");
      continue;
    }
    auto replayed = RebuildProjection(log, replay, it->sequence);
    if (!replayed.ok()) {
      problem("replay failed: " + replayed.status().detail());
      break;
    }
    replay = std::move(replayed).value();
    std::string difference;
    if (!SameProjection(**snapshot, *replay, &difference)) {
      problem(it->path + ": differs from the replay at " + difference);
    } else {
      ++check.snapshots_equal;
    }
  }

  // What the server would start from, against a fresh replay of everything.
  auto fresh = RebuildProjection(log);
  auto newest = store.LoadNewest(log.last_sequence(), [](const std::string&) {});
  auto served = RebuildProjection(log, newest);
  if (!fresh.ok() || !served.ok()) {
    problem("replay failed: " + (fresh.ok() ? served.status() : fresh.status()).detail());
    return check;
  }
  std::string difference;
  if (!SameProjection(**served, **fresh, &difference)) {
    problem("the start-up projection differs from a fresh replay at " + difference);
  }
  check.sequence = (*fresh)->sequence;
  check.flags = (*fresh)->FlagCount();
  check.organizations = (*fresh)->organizations.size();
  return check;
}

}  // namespace flagledger

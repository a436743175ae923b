// `flagledger verify`: the log, its indexes and the snapshots checked against a fresh replay.
#include <cstdio>
#include <span>

#include "events/event_chain.h"
#include "events/event_codec.h"
#include "events/event_log.h"
#include "projections/data_dir_check.h"
#include "projections/snapshot_store.h"
#include "tools/command_options.h"
#include "tools/offline_commands.h"

namespace flagledger {
namespace {

constexpr char kHelp[] = R"(Usage: flagledger verify --data-dir DIR [--expect-head SEQ:HASH]

Checks a data directory and prints a summary:
  - the log: sequences 1..N without gaps, every event decodable and in time order, versions
    1, 2, ... per flag key;
  - the hash chain: every event's hash matches its content and names the event before it;
    the first event where it breaks is named;
  - with --expect-head SEQ:HASH (as GET /api/v1/events/head answered, recorded elsewhere):
    event SEQ exists and carries HASH, so the log was neither truncated below SEQ nor
    rewritten up to it;
  - the indexes: every entry matches its event, and no event lacks one; every organization
    checkpoint lists exactly the flags live at its event, and the recorded batches partition
    the log;
  - the snapshots: each reads back intact and equals a replay of the log up to its sequence;
  - the projection the server would start from (newest snapshot + the log after it) equals a
    fresh replay of the whole log.
Exits 0 when everything matches, 1 on any mismatch. Safe to run while a server uses DIR.
)";

}  // namespace

int RunVerify(const std::vector<std::string>& args) {
  auto options = ParseCommandOptions(args, {"data-dir", "expect-head"}, {});
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
  ChainHead expected;
  if (options->has("expect-head") && !ParseChainHead(options->get("expect-head"), expected)) {
    std::fprintf(stderr,
                 "flagledger verify: --expect-head takes SEQ:HASH (a sequence from 1 and 64 "
                 "lowercase hex digits), as GET /api/v1/events/head answers in \"head\"\n");
    return 2;
  }
  const std::string& data_dir = options->get("data-dir");
  auto log = OpenLogForReading(data_dir, "verify");
  if (!log) return 1;
  auto check = CheckDataDir(*log, SnapshotStore(data_dir), [](const std::string& text) {
    std::printf("MISMATCH %s\n", text.c_str());
  });
  if (!check.ok()) {
    std::fprintf(stderr, "flagledger verify: %s\n", check.status().detail().c_str());
    return 1;
  }
  std::printf("log: %llu events checked against 4 indexes, the checkpoints and the batches\n",
              static_cast<unsigned long long>(check->events));
  std::size_t chain_problems = 0;
  bool first_unchained = false;
  auto chain = log->CheckChain([&](const std::string& text) {
    ++chain_problems;
    first_unchained = first_unchained || text == "event 1: carries no chain hash";
    std::printf("MISMATCH chain: %s\n", text.c_str());
  });
  if (!chain.ok()) {
    std::fprintf(stderr, "flagledger verify: %s\n", chain.status().detail().c_str());
    return 1;
  }
  if (first_unchained && chain->sequence > 0 && chain->hash == kGenesisHash) {
    std::printf(
        "hint: neither the first nor the last event carries a hash: the log predates release "
        "0.12.0 (a server of 0.12.0 or later chains it when it opens the directory), or its "
        "chain was removed\n");
  }
  std::printf("chain: %llu events, head %s\n", static_cast<unsigned long long>(chain->sequence),
              FormatChainHead(*chain).c_str());
  if (options->has("expect-head")) {
    auto found = log->EventsAt(std::span(&expected.sequence, 1));
    SealedEvent sealed;
    if (expected.sequence > chain->sequence) {
      ++chain_problems;
      std::printf(
          "MISMATCH expected head: the log ends at event %llu, before the expected head "
          "%llu: events were removed from its end\n",
          static_cast<unsigned long long>(chain->sequence),
          static_cast<unsigned long long>(expected.sequence));
    } else if (!found.ok() || !SplitSealedEvent(found->front(), sealed) ||
               sealed.hash != expected.hash) {
      ++chain_problems;
      std::printf(
          "MISMATCH expected head: event %llu does not carry the expected hash: the "
          "history up to it was rewritten\n",
          static_cast<unsigned long long>(expected.sequence));
    } else {
      std::printf("expected head: event %llu carries the expected hash\n",
                  static_cast<unsigned long long>(expected.sequence));
    }
  }
  std::printf("snapshots: %zu of %zu equal the replay\n", check->snapshots_equal, check->snapshots);
  if (check->ok()) {
    std::printf(
        "projection: %zu flags in %zu organizations at sequence %llu equal a fresh replay\n",
        check->flags, check->organizations, static_cast<unsigned long long>(check->sequence));
  }
  std::size_t problems = check->problems + chain_problems;
  std::printf("%s: %zu problem%s\n", problems == 0 ? "OK" : "FAILED", problems,
              problems == 1 ? "" : "s");
  return problems == 0 ? 0 : 1;
}

}  // namespace flagledger

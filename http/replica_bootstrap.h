// A new follower's first start: its data directory is filled from the leader's checkpoint
// (GET /api/v1/replication/checkpoint, http/checkpoint_stream.h) instead of replaying the
// whole log through the feed; it then follows from the checkpoint's last event.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/status.h"

namespace flagledger {

// True when `data_dir` holds no log yet (no DATA_DIR/log/CURRENT).
bool NeedsBootstrap(const std::string& data_dir);

struct BootstrapSummary {
  std::uint64_t bytes = 0;  // of the files unpacked
  std::size_t files = 0;
  std::string log_id;                 // the leader's, from its answer
  std::uint64_t leader_sequence = 0;  // the leader's newest event as it began
};

// Fetches the leader's checkpoint with `token` (empty: none) into `data_dir`: DATA_DIR/log and
// the snapshots the leader sent. Files are unpacked and synced in DATA_DIR/.bootstrap, then
// DATA_DIR/log appears with one rename, so a bootstrap cut short leaves no log and the next
// start begins again. Errors: kUnavailable when the leader cannot be reached, answers 5xx, or
// the transfer breaks or stalls for `idle` (worth retrying); kRouteNotFound when the leader
// has no checkpoint endpoint (an older version); kUnauthorized or kForbidden for the token;
// kValidationFailed for an archive that is not a checkpoint; kInternal for a local disk error.
Result<BootstrapSummary> BootstrapReplica(const std::string& leader_url, const std::string& token,
                                          const std::string& data_dir,
                                          std::chrono::seconds idle = std::chrono::seconds(30));

}  // namespace flagledger

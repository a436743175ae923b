// The leader's side of replication beyond the feed (docs/api.md, "Read replicas").
#pragma once

#include "http/background_work.h"
#include "http/handler_context.h"
#include "projections/flag_store.h"

namespace flagledger {

// GET /api/v1/replication/checkpoint: the log (and the newest snapshot it holds) as a ustar
// archive that a new follower unpacks into its data directory (http/checkpoint_stream.h).
// Headers: Flagledger-Log-Id and Flagledger-Event-Sequence (the log's newest event when the
// checkpoint was made: the archive holds at least that much). The checkpoint is made on
// `background` (it may wait for a flush), which answers through `respond`.
void HandleReplicationCheckpoint(FlagStore& store, const RequestContext& context, Responder respond,
                                 BackgroundWork& background);

}  // namespace flagledger

// Putting flags back as they were (docs/api.md, "Revert and restore"): one flag, or a whole
// organization in one atomic batch.
#pragma once

#include "http/handler_context.h"
#include "projections/flag_store.h"

namespace flagledger {

// POST .../feature-flags/{flag_key}/revert {"to_event": N | "as_of": T}
void HandleRevertFlag(FlagStore& store, const RequestContext& context, Responder respond);

// POST /api/v1/organizations/{org}/restore {"to_event": N | "as_of": T, "dry_run": bool}
void HandleRestoreOrganization(FlagStore& store, const RequestContext& context, Responder respond);

}  // namespace flagledger

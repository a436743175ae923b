// The six flag endpoints (docs/api.md, "Flag endpoints"), with the point-in-time reads of
// "History and point-in-time reads".
#pragma once

#include "http/handler_context.h"
#include "http/list_page_cache.h"
#include "http/router.h"
#include "projections/flag_store.h"

namespace flagledger {

// GET (or HEAD) of a flag or the flag list: now, or at `as_of` / `as_of_event`. Current list
// pages come from (and go into) `pages`.
void HandleFlagRead(FlagStore& store, ListPageCache& pages, const RequestContext& context,
                    Route route, const Responder& respond);

// The writes: each validates its request here, then the store decides and appends; `respond`
// runs once the write is durable (or failed).
// POST .../feature-flags
void HandleCreateFlag(FlagStore& store, const RequestContext& context, Responder respond);
// PUT .../feature-flags/{flag_key}
void HandleUpdateFlag(FlagStore& store, const RequestContext& context, Responder respond);
// PATCH .../feature-flags/{flag_key}/rollout
void HandlePatchRollout(FlagStore& store, const RequestContext& context, Responder respond);
// DELETE .../feature-flags/{flag_key}
void HandleDeleteFlag(FlagStore& store, const RequestContext& context, Responder respond);

}  // namespace flagledger

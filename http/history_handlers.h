// The audit history endpoints (docs/api.md, "History and point-in-time reads") and the
// organization's change stream ("Change stream").
#pragma once

#include "http/handler_context.h"
#include "http/router.h"
#include "projections/flag_store.h"

namespace flagledger {

// GET .../feature-flags/{key}/history, /organizations/{org}/events and /api/v1/events:
// {"data":[event...],"next_after":sequence|null}, paged with after, before, limit and order.
void HandleHistory(FlagStore& store, const RequestContext& context, Route route,
                   const Responder& respond);

// GET /api/v1/events/head: {"sequence":N,"hash":hex,"head":"N:hex"}, the newest event's
// chain hash (events/event_chain.h), to be recorded elsewhere and checked by
// `flagledger verify --expect-head`.
void HandleLogHead(FlagStore& store, const RequestContext& context, const Responder& respond);

// GET /api/v1/organizations/{org}/events/stream: Server-Sent Events of the organization's
// events after `Last-Event-ID` (or ?after=, or from now), then live as they are appended.
void HandleEventStream(FlagStore& store, const RequestContext& context, const Responder& respond);

}  // namespace flagledger

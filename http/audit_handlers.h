// The audit questions answered in one request (docs/api.md, "Audit queries"): the difference
// between two points of an organization's history, every flag evaluated at a moment, and when
// a flag was on for a client version.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/timestamp.h"
#include "http/handler_context.h"
#include "http/history_query.h"
#include "projections/flag_store.h"
#include "projections/organization_diff.h"

namespace flagledger {

// GET /api/v1/organizations/{org}/diff?from=|from_event=&to=|to_event=&after_key=&limit=
void HandleOrganizationDiff(FlagStore& store, const RequestContext& context,
                            const Responder& respond);
// GET /api/v1/organizations/{org}/evaluation?version=&at=&page=&limit=
void HandleOrganizationEvaluation(FlagStore& store, const RequestContext& context,
                                  const Responder& respond);
// GET .../feature-flags/{flag_key}/evaluation/timeline?version=&from=&to=
void HandleFlagTimeline(FlagStore& store, const RequestContext& context, const Responder& respond);

// How a flag goes from `from` to `to` (null: absent; not both): "created", "deleted",
// "recreated" (a new created_at) or "updated".
std::string_view ChangeKind(const FlagRecord* from, const FlagRecord* to);
// The diff's summary of each event: [{"sequence","type","actor","recorded_at","request_id"}].
void AppendEventSummaries(std::string& out, const std::vector<Event>& events);

// The diff's JSON body (also printed by `flagledger diff`).
std::string OrganizationDiffJson(std::string_view organization_id, const LogPoint& from,
                                 const LogPoint& to, const OrganizationDiff& diff);

}  // namespace flagledger

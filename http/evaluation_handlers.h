// Flag evaluation over HTTP: OpenFeature's remote evaluation protocol (OFREP) and
// flagledger's time-travel evaluation.
#pragma once

#include "http/handler_context.h"
#include "http/router.h"
#include "projections/flag_store.h"

namespace flagledger {

// POST /ofrep/v1/evaluate/flags/{key} and POST /ofrep/v1/evaluate/flags, with the OFREP
// bodies for success and errors. REQUIRES: route is kOfrepFlag or kOfrepFlags; the flag key
// of the path is still undecoded in `raw_flag_key`.
void HandleOfrep(FlagStore& store, const RequestContext& context, Route route,
                 std::string_view raw_flag_key, const Responder& respond);

// GET .../feature-flags/{key}/evaluation?version=SEMVER[&at=RFC3339]: the flag as it stood at
// `at`, evaluated with `at` as the clock.
void HandleFlagEvaluation(FlagStore& store, const RequestContext& context,
                          const Responder& respond);

}  // namespace flagledger

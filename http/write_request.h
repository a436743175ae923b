// What every write request shares (docs/api.md, "What every write does" and "Concurrency and
// retries"): its checks before the body is read, the Flagledger-Change-Reason, If-Match and
// Idempotency-Key headers, and handing the command to the store.
#pragma once

#include <functional>
#include <initializer_list>
#include <string_view>

#include "http/handler_context.h"
#include "projections/flag_store.h"

namespace flagledger {

// The answer to a write the store decided without an error (errors are problem responses).
using WriteRenderer = std::function<HttpResponse(const WriteOutcome& outcome)>;

// No query parameters, and a body of one of `media_types` (none: the body is not read).
Status CheckWriteRequest(const RequestContext& context,
                         std::initializer_list<std::string_view> media_types);

// Checks the reason and Idempotency-Key headers, takes If-Match (except on a create, where there
// is no version to match), then submits `command`; `respond` runs once the write is durable or
// failed, with `renderer`'s answer, a problem, or the stored answer of an earlier request with
// the same Idempotency-Key.
void SubmitWrite(FlagStore& store, const RequestContext& context, Command command,
                 WriteRenderer renderer, Responder respond);

}  // namespace flagledger

// application/problem+json error responses (RFC 9457) with the contract's codes.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "http/http_message.h"

namespace flagledger {

// REQUIRES: !status.ok(). The body is {"type","title","status","detail","code"[,"errors"]}.
HttpResponse ProblemResponse(const Status& status);

// The standard reason phrase, e.g. "Not Found".
std::string_view ReasonPhrase(int http_status);

// `text` made safe to quote in a detail message: at most 64 characters, anything but
// printable ASCII replaced by '?'.
std::string QuoteForMessage(std::string_view text);

}  // namespace flagledger

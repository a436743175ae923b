// The status line and headers of an answer, written by hand into a buffer the connection keeps
// (Beast's fields allocate per header). Free of Beast, so that it is unit-tested on its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/http_message.h"

namespace flagledger {

inline constexpr std::string_view kRequestIdHeader = "X-Request-Id";

struct ResponseHeadOptions {
  bool http10 = false;     // the request was HTTP/1.0
  bool keep_alive = true;  // the connection stays open after this answer
  bool chunked = false;    // a stream: Transfer-Encoding: chunked, no Content-Length
  std::string_view request_id;
};

// Replaces `head` with the status line and headers of `answer`, ending in the blank line.
// Content-Length is the body's size (also for HEAD; none on 304 or a chunked answer).
// REQUIRES: header names and values without CR or LF (they come from the server's own code,
// and the request id was checked to be printable ASCII).
void WriteResponseHead(std::string& head, const HttpResponse& answer,
                       const ResponseHeadOptions& options);

// What an HTTP/1.1 server sends before reading a body the client holds back for it
// (Expect: 100-continue, RFC 9110 §10.1.1).
inline constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace flagledger

// The server's view of a request and its answer, free of Beast types so that routing and
// handlers compile without Beast's templates.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flagledger {

// Views into the connection's parsed request; valid until the response is written.
struct HttpRequest {
  std::string_view method;  // e.g. "GET"
  std::string_view target;  // the raw request-target: path and query, still percent-encoded
  std::string_view content_type;
  std::string_view if_match;
  std::string_view if_none_match;
  std::string_view idempotency_key;
  bool idempotency_key_sent = false;  // the header was present, even if empty
  std::string_view change_reason;     // Flagledger-Change-Reason (docs/api.md, "Reasons")
  bool change_reason_sent = false;    // the header was present, even if empty
  std::string_view authorization;
  std::string_view last_event_id;  // Server-Sent Events resumption
  std::string_view min_sequence;   // Flagledger-Min-Sequence (docs/api.md, "Read replicas")
  std::string_view accept;
  std::string_view body;
  std::string request_id;  // the client's X-Request-Id when valid, else a generated one
};

class ResponseStream;

// The media types the server answers with; an enum rather than a string so that building
// a response allocates nothing for it.
enum class MediaType : std::uint8_t {
  kJson,
  kProblemJson,
  kEventStream,
  kPrometheusText,
  kNdjson,
  kCsv,
  kTar,
};
inline constexpr MediaType kAllMediaTypes[] = {MediaType::kJson,        MediaType::kProblemJson,
                                               MediaType::kEventStream, MediaType::kPrometheusText,
                                               MediaType::kNdjson,      MediaType::kCsv,
                                               MediaType::kTar};

// The Content-Type header value for `type`.
constexpr std::string_view MediaTypeName(MediaType type) {
  switch (type) {
    case MediaType::kJson:
      return "application/json";
    case MediaType::kProblemJson:
      return "application/problem+json";
    case MediaType::kEventStream:
      return "text/event-stream";
    case MediaType::kPrometheusText:
      return "text/plain; version=0.0.4; charset=utf-8";
    case MediaType::kNdjson:
      return "application/x-ndjson";
    case MediaType::kCsv:
      return "text/csv; charset=utf-8; header=present";
    case MediaType::kTar:
      return "application/x-tar";
  }
  return "application/octet-stream";
}

inline constexpr std::string_view kEtagHeader = "ETag";
inline constexpr std::string_view kEventSequenceHeader = "Flagledger-Event-Sequence";

// The hot path's fields (shared_body, etag, event_sequence) let a read be answered without
// allocating: a flag's pre-rendered bytes are shared, not copied, and its two headers need no
// strings of their own.
struct HttpResponse {
  int status = 200;
  MediaType content_type = MediaType::kJson;
  std::string body;
  // When set, the body is these bytes and `body` is unused: bytes the projection keeps (a
  // flag's rendering, a cached list page), sent without a copy.
  std::shared_ptr<const std::string> shared_body;
  std::string etag;                             // the ETag header's value, when not empty
  std::optional<std::uint64_t> event_sequence;  // Flagledger-Event-Sequence, when set
  std::vector<std::pair<std::string, std::string>> headers;  // beyond the ones above

  std::string_view body_bytes() const {
    return shared_body ? std::string_view(*shared_body) : body;
  }
  // Set for a streamed answer (a change stream, an export): after the headers, the server
  // writes what the stream yields, chunked, until it ends or the client leaves (`body` is
  // unused).
  std::shared_ptr<ResponseStream> stream;
};

// A string member of what `owner` points to, as a shared body: no copy, and the owner lives as
// long as the body does.
template <typename Owner>
std::shared_ptr<const std::string> ShareBytes(std::shared_ptr<const Owner> owner,
                                              std::string Owner::*member) {
  const std::string* bytes = &((*owner).*member);
  return std::shared_ptr<const std::string>(std::move(owner), bytes);
}

// Delivers the response for one request; called exactly once, from any thread.
using Responder = std::function<void(HttpResponse)>;

}  // namespace flagledger

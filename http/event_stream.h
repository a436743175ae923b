// The body of GET /api/v1/organizations/{org}/events/stream and of the whole log's
// /api/v1/events/stream: Server-Sent Events read from the log on demand. Nothing is buffered
// per client beyond one batch of frames: the server asks for the next batch only when the
// previous one was written, so a slow client costs memory for one batch, and one that takes
// longer than the write deadline is disconnected.
#pragma once

#include <cstdint>
#include <string>

#include "events/event_log.h"
#include "http/response_stream.h"

namespace flagledger {

class EventStream : public ResponseStream {
 public:
  // Streams the organization's events (every event of the log, token events included, when
  // `organization_id` is empty) with sequence > `after`. REQUIRES: `log` outlives it.
  EventStream(const EventLog& log, std::string organization_id, std::uint64_t after)
      : log_(log), organization_id_(std::move(organization_id)), cursor_(after) {}

  // Appends up to kBatch next events to `out` as SSE frames ("id: <sequence>",
  // "event: <type>", "data: <event JSON>") and advances the cursor; kNothingYet when there
  // was none. Reads the log; call from one thread at a time.
  Part Next(std::string& out) override;
  bool live() const override { return true; }

  static constexpr std::size_t kBatch = 256;  // events per frame write

  std::uint64_t cursor() const { return cursor_; }

 private:
  const EventLog& log_;
  const std::string organization_id_;
  std::uint64_t cursor_;
};

}  // namespace flagledger

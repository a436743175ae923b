// The replication feed: GET /api/v1/events/stream?batches=true. The log's batches as its
// writer appended them, one SSE frame each, and heartbeats that carry the head, so that a
// follower applies whole batches and knows how far behind it is (docs/api.md, "Replication").
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/clock.h"
#include "events/event_log.h"
#include "http/response_stream.h"

namespace flagledger {

class BatchStream : public ResponseStream {
 public:
  // Streams the batches after `after`, which must be a batch boundary (CheckStart).
  // REQUIRES: `log` and `clock` outlive it.
  BatchStream(const EventLog& log, const Clock& clock, std::uint64_t after)
      : log_(log), clock_(clock), cursor_(after) {}

  // OK when a batch starts at `after` + 1 (or the log ends at `after`); kInvalidQuery if not.
  static Status CheckStart(const EventLog& log, std::uint64_t after);

  // The first call answers a heartbeat (the follower learns the log id before any batch);
  // then up to kMaxEvents events in whole batches, one frame each:
  //   id: <last>
  //   event: batch
  //   data: {"first":F,"last":L,"head":H,
  //          "idempotency":[{"scope_key":..,"created_at":micros,"request":<base64>,
  //                          "response":<base64>}]}
  //   data: <event F's stored JSON>
  //   ...
  //   data: <event L's stored JSON>
  // (an SSE client sees one data value: the header and each event on a line of its own).
  Part Next(std::string& out) override;
  bool live() const override { return true; }
  //   event: heartbeat  data: {"head":H,"time":"<RFC 3339>","log_id":"<32 hex>"}
  std::string Heartbeat() override;
  // Often enough for a follower to tell a quiet leader from a lost feed well within 1 s.
  std::chrono::milliseconds HeartbeatInterval(std::chrono::milliseconds configured) const override {
    return std::min(configured, kHeartbeatInterval);
  }

  static constexpr std::size_t kMaxEvents = 1024;
  static constexpr std::chrono::milliseconds kHeartbeatInterval{200};

 private:
  const EventLog& log_;
  const Clock& clock_;
  std::uint64_t cursor_;
  bool greeted_ = false;
};

}  // namespace flagledger

// A response body produced piece by piece after the head (chunked): a change stream that
// follows the log, or a finite export that ends.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace flagledger {

class ResponseStream {
 public:
  virtual ~ResponseStream() = default;

  enum class Part {
    kData,        // `out` received the next piece
    kNothingYet,  // a live stream has nothing new (wait for the log to grow)
    kEnd,         // the body is complete
    kFailed,      // it cannot go on (storage): the connection is cut, the body left incomplete
  };
  // Appends the next piece of the body to `out`. Called from one thread at a time.
  virtual Part Next(std::string& out) = 0;
  // True for a change stream: it never ends, waits for new events, and sends heartbeats.
  virtual bool live() const = 0;
  // What a live stream sends after `HeartbeatInterval` without news: an SSE comment, unless
  // the stream says more.
  virtual std::string Heartbeat() { return std::string(kHeartbeatComment); }
  virtual std::chrono::milliseconds HeartbeatInterval(std::chrono::milliseconds configured) const {
    return configured;
  }

  static constexpr std::string_view kHeartbeatComment = ": heartbeat\n\n";
};

}  // namespace flagledger

// A connection answering with a streamed body: a change stream (Server-Sent Events: the
// response head, then frames as the log grows, until the client leaves, a frame is not taken
// within request_timeout, the token that opened it is revoked, or the server stops) or an
// export (pieces until the body ends, then the connection closes). A Session hands its socket
// over once the Api answered with a stream.
//
// Threading contract: the stream has several operations outstanding at once (the read that
// notices the client leaving, a frame write, the heartbeat timer, the notifier's wake-ups), so
// every one of its handlers runs on strand_; debug builds assert it. Other threads only close
// it, through Connection's CloseIfIdle, TimeOut and CloseNow (shutdown(2) under close_mutex_).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http/asio_types.h"
#include "http/connection.h"
#include "http/event_stream.h"
#include "http/response_stream.h"
#include "http/router.h"

namespace flagledger {

class Listener;

// The request that opened the stream, for the access log and metrics when it ends.
struct StreamRequest {
  std::string path;
  std::string request_id;
  std::optional<Route> route;
  std::chrono::steady_clock::time_point started;
};

class StreamSession : public Connection, public std::enable_shared_from_this<StreamSession> {
 public:
  StreamSession(Socket&& socket, Listener& listener, std::shared_ptr<ResponseStream> source,
                StreamRequest request);
  ~StreamSession() override;

  // Registers with the listener, writes `head` and starts streaming; call once.
  void Start(std::string head);

  // A stream is closed on shutdown (streams_too), never to make room.
  void CloseIfIdle(bool streams_too) override;

 private:
  void ShutDownFromOutside(int how) override;
  void OnHeader(boost::system::error_code error);
  // Writes the next batch of events, if any and no write is under way; else waits.
  void Pump();
  void ArmHeartbeat();
  void WriteFrame();
  // Writes the last chunk of a finished body, then closes.
  void WriteLastChunk();
  // Unsubscribes, records the stream's request and closes the socket; safe to call twice.
  void Close();
  // `handler`, to run on strand_.
  template <class Handler>
  auto OnStrand(Handler&& handler);
  void AssertOnStrand() const;

  static constexpr std::size_t kReadChunk = 512;

  Socket socket_;
  Listener& listener_;
  std::shared_ptr<ResponseStream> source_;  // null once closed
  StreamRequest request_;
  Strand strand_;
  Timer heartbeat_;
  std::string head_;
  std::string frame_;
  std::array<char, kReadChunk> discard_;  // what the client sends (nothing is expected)
  std::uint64_t subscription_ = 0;
  bool writing_ = false;
  bool heartbeat_armed_ = false;
  bool opened_ = false;     // a change stream, counted in the metrics' open streams
  std::mutex close_mutex_;  // Close() against ShutDownFromOutside()
};

}  // namespace flagledger

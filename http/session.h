// One HTTP/1.1 connection: read a request, answer it, repeat while keep-alive holds. A change
// stream's request hands the socket over to a StreamSession (http/stream_session.h).
//
// Threading contract:
//  - The session has at most one operation outstanding at a time (a read, or the rest of an
//    answer's write), so its handlers never overlap: they run one after another on whichever
//    server thread Asio picks, and need no strand. Debug builds assert it (OperationGuard).
//  - The Api may answer a request on another thread (a write answers from the store's writer),
//    exactly once, through OnAnswer; answer_or_handled_ decides whether that thread or the
//    request's handler goes on to Write, so the two never overlap either.
//  - Other threads only close the session, through Connection's CloseIfIdle, TimeOut and
//    CloseNow: each shuts the socket down under close_mutex_, the pending operation ends with an
//    error, and the session closes itself on its own thread. Nothing else may touch it.
//  - The session lives by shared_from_this: the pending operation (or, while the Api holds a
//    request, awaiting_answer_) keeps it alive, nothing else.
#pragma once

#include <array>
#include <atomic>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <memory_resource>
#include <mutex>
#include <optional>
#include <string>

#include "http/asio_types.h"
#include "http/connection.h"
#include "http/http_message.h"
#include "http/router.h"

namespace flagledger {

class Listener;

class Session : public Connection, public std::enable_shared_from_this<Session> {
 public:
  Session(Socket&& socket, Listener& listener);
  ~Session() override;

  // Registers with the listener and waits for the first request; call once, right after
  // construction.
  void Start();

  // An idle connection is closed now, a busy one after its answer: only the receiving side is
  // shut down, so a request that raced in is still answered. A session is never a stream
  // (streams_too is for StreamSession).
  void CloseIfIdle(bool streams_too) override;

 private:
  void ShutDownFromOutside(int how) override;

  // Waits for the first bytes of the next request (a pipelined one may be buffered already).
  void Read();
  void OnFirstBytes(boost::system::error_code error, std::size_t bytes);
  // The request has begun: its clock starts (from its first bytes), and the rest of its
  // headers and body get one deadline, so a client that trickles bytes is cut off.
  void ReadRequest();
  // Feeds the buffered bytes to the parser, reading more until the request is complete.
  void Parse();
  void OnMoreBytes(boost::system::error_code error, std::size_t bytes);
  // True when the client waits for "100 Continue" before it sends the body it announced.
  bool ExpectsContinue();
  void SendContinue();
  // The request line and headers are in: counts the request, stops waiting on the client, and
  // takes what every answer needs.
  void BeginRequest();
  void AnswerBodyTooLarge();
  void OnRequest();
  // Api::Handle's responder, called once per request on any thread.
  void OnAnswer(HttpResponse response);
  // Sends answer_: head and body offered to the kernel at once in one gathered write; what it
  // does not take goes through async_write. A stream's answer hands the socket over.
  void Write();
  void HandOverToStream();
  // The answer is out: on to the next request.
  void OnWritten();
  void RecordRequest();
  void Close();

  // Debug builds: asserts that no other operation of this session is outstanding.
  void BeginOperation();
  void EndOperation();

  static constexpr std::size_t kReadChunk = 4096;
  static constexpr std::size_t kFieldBytes = 2048;  // a typical request's fields fit
  static constexpr int kInlineRequests = 16;        // pipelined answers on one stack, then a post

  Socket socket_;
  Listener& listener_;
  boost::beast::flat_buffer buffer_;
  // Beast's request fields allocate per header and for the target; they take that memory from
  // the session's own buffer instead (from the heap past kFieldBytes), released as each
  // request begins. Declared before parser_, so that parser_ is destroyed first.
  using FieldAllocator = std::pmr::polymorphic_allocator<char>;
  std::array<std::byte, kFieldBytes> field_bytes_;
  std::pmr::monotonic_buffer_resource field_memory_{field_bytes_.data(), field_bytes_.size()};
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body, FieldAllocator>>
      parser_;
  bool continue_checked_ = false;  // the current request's Expect was looked at
  std::string head_;               // the response's status line and headers
  bool answer_keep_alive_ = false;
  HttpRequest request_;
  std::chrono::steady_clock::time_point started_;
  int status_ = 0;
  bool keep_alive_ = false;
  HttpResponse answer_;  // the current request's answer, from Api::Handle's until written
  std::shared_ptr<Session> awaiting_answer_;  // this session, from Handle until its answer
  // Set by the first of: Api::Handle's answer arriving, OnRequest's handler returning.
  std::atomic<bool> answer_or_handled_{false};
  int inline_requests_ = 0;  // pipelined requests served on this stack in a row
  // Waiting for the next request. Unlike idle_since_, it stays true when the listener picked the
  // session to make room (and zeroed idle_since_ so that no other connection picks it too).
  std::atomic<bool> idle_{false};
  std::mutex close_mutex_;    // Close() against ShutDownFromOutside()
  std::uint64_t served_ = 0;  // requests read on this connection
  std::optional<Route> route_;
#ifndef NDEBUG
  std::atomic<int> operations_outstanding_{0};
#endif
};

}  // namespace flagledger

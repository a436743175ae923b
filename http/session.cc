// The request path is shaped after nginx's rather than Beast's example, because each of these
// showed as extra system calls per request under load (bench/RESULTS.md):
//  - Threads: all run one io_context, so a ready connection is served by whichever thread is
//    free; a session has one operation outstanding at a time, so it needs no strand.
//  - Deadlines: a session stores the time its current wait must end, and the listener's sweep
//    closes the sessions past theirs; no timer is armed or cancelled per request.
//  - Parsing: Beast's request parser is fed from the session's buffer directly, and an answer
//    is first written without waiting (the socket is non-blocking); only what the kernel does
//    not take at once goes through async_write. No completion is posted per request.
//  - The next read is deferred behind the handlers already queued, so Asio's one speculative
//    recv tends to find the next request instead of EAGAIN (see OnWritten).
#include "http/session.h"

#include <boost/asio/defer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <cassert>

#include "http/listener.h"
#include "http/problem.h"
#include "http/request_id.h"
#include "http/response_head.h"
#include "http/stream_session.h"

namespace flagledger {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

Session::Session(Socket&& socket, Listener& listener)
    : socket_(std::move(socket)), listener_(listener) {
  if (listener_.options().metrics) listener_.options().metrics->ConnectionOpened();
}

Session::~Session() {
  if (listener_.options().metrics) listener_.options().metrics->ConnectionClosed();
  listener_.Unregister(this);
}

void Session::Start() {
  listener_.Register(this, weak_from_this());
  error_code ignored;
  socket_.non_blocking(true, ignored);               // Write tries the kernel first
  socket_.set_option(tcp::no_delay(true), ignored);  // answers go out at once
  Read();  // on the acceptor's thread: any server thread may run any session
}

void Session::CloseIfIdle(bool) {
  if (idle_.load()) ShutDownFromOutside(kShutReceive);  // seq_cst: see Listener::Shutdown
}

void Session::ShutDownFromOutside(int how) { ShutDownSocket(close_mutex_, socket_, how); }

void Session::BeginOperation() {
#ifndef NDEBUG
  int outstanding = operations_outstanding_.fetch_add(1, std::memory_order_acq_rel);
  assert(outstanding == 0 && "a session has one operation outstanding at a time");
  (void)outstanding;
#endif
}

void Session::EndOperation() {
#ifndef NDEBUG
  int outstanding = operations_outstanding_.fetch_sub(1, std::memory_order_acq_rel);
  assert(outstanding == 1 && "an operation ended that was not outstanding");
  (void)outstanding;
#endif
}

void Session::Read() {
  idle_.store(true);  // seq_cst: see Listener::Shutdown
  std::int64_t now = NowTicks();
  idle_since_.store(now, std::memory_order_relaxed);
  if (buffer_.size() > 0) return ReadRequest();
  // Shutdown may have looked before idle_ was set: then this ends the read as CloseIfIdle
  // would have (a request already sent is still read and answered, then the session closes).
  if (listener_.stopping()) ShutDownFromOutside(kShutReceive);
  const ServerOptions& options = listener_.options();
  SetDeadline(served_ > 0 ? options.idle_timeout : options.request_timeout, now);
  BeginOperation();
  socket_.async_read_some(buffer_.prepare(kReadChunk),
                          beast::bind_front_handler(&Session::OnFirstBytes, shared_from_this()));
}

void Session::OnFirstBytes(error_code error, std::size_t bytes) {
  EndOperation();
  if (error) return Close();  // end of stream, idle timeout, or closed to make room
  buffer_.commit(bytes);
  ReadRequest();
}

void Session::ReadRequest() {
  idle_.store(false, std::memory_order_release);
  idle_since_.store(0, std::memory_order_relaxed);
  parser_.reset();  // nothing refers to its fields any more: the last answer is out
  field_memory_.release();
  parser_.emplace(std::piecewise_construct, std::make_tuple(),
                  std::make_tuple(FieldAllocator(&field_memory_)));
  parser_->body_limit(listener_.options().body_limit);
  parser_->header_limit(static_cast<std::uint32_t>(listener_.options().header_limit));
  continue_checked_ = false;
  started_ = std::chrono::steady_clock::now();
  SetDeadline(listener_.options().request_timeout, started_.time_since_epoch().count());
  Parse();
}

void Session::Parse() {
  while (!parser_->is_done()) {
    if (parser_->is_header_done() && !continue_checked_) {
      continue_checked_ = true;
      if (ExpectsContinue()) return SendContinue();
    }
    error_code error;
    if (buffer_.size() > 0) {
      std::size_t used = parser_->put(buffer_.data(), error);
      buffer_.consume(used);
      if (error == http::error::body_limit) return AnswerBodyTooLarge();
      if (error && error != http::error::need_more) return Close();  // not HTTP, or too long
      if (!error && used > 0) continue;
    }
    BeginOperation();
    return socket_.async_read_some(
        buffer_.prepare(kReadChunk),
        beast::bind_front_handler(&Session::OnMoreBytes, shared_from_this()));
  }
  OnRequest();
}

void Session::OnMoreBytes(error_code error, std::size_t bytes) {
  EndOperation();
  if (error) return Close();  // end of stream before the request was complete, or timeout
  buffer_.commit(bytes);
  Parse();
}

// RFC 9110 §10.1.1: an HTTP/1.1 request announcing a body it has not sent yet. A body over the
// limit never gets here: the parser refuses its Content-Length first (413, and no 100).
bool Session::ExpectsContinue() {
  auto& message = parser_->get();
  return message.version() >= 11 && buffer_.size() == 0 &&
         beast::iequals(message[http::field::expect], "100-continue");
}

void Session::SendContinue() {
  BeginOperation();
  net::async_write(socket_, net::buffer(kContinueResponse.data(), kContinueResponse.size()),
                   [self = shared_from_this()](error_code error, std::size_t) {
                     self->EndOperation();
                     if (error) return self->Close();
                     self->Parse();
                   });
}

void Session::BeginRequest() {
  ++served_;
  ClearDeadline();
  auto& message = parser_->get();
  request_.method = message.method_string();
  request_.target = message.target();
  ChooseRequestId(message[kRequestIdHeader], request_.request_id);
}

void Session::AnswerBodyTooLarge() {
  BeginRequest();
  keep_alive_ = false;
  answer_ = ProblemResponse(Status(ErrorCode::kPayloadTooLarge,
                                   "the request body is larger than " +
                                       std::to_string(listener_.options().body_limit) + " bytes"));
  Write();
}

void Session::OnRequest() {
  BeginRequest();
  auto& message = parser_->get();
  request_.content_type = message[http::field::content_type];
  request_.if_match = message[http::field::if_match];
  request_.if_none_match = message[http::field::if_none_match];
  auto idempotency_key = message.find("Idempotency-Key");
  request_.idempotency_key_sent = idempotency_key != message.end();
  request_.idempotency_key = request_.idempotency_key_sent
                                 ? std::string_view(idempotency_key->value())
                                 : std::string_view();
  auto change_reason = message.find("Flagledger-Change-Reason");
  request_.change_reason_sent = change_reason != message.end();
  request_.change_reason =
      request_.change_reason_sent ? std::string_view(change_reason->value()) : std::string_view();
  request_.authorization = message[http::field::authorization];
  request_.last_event_id = message["Last-Event-ID"];
  request_.min_sequence = message["Flagledger-Min-Sequence"];
  request_.accept = message[beast::http::field::accept];
  request_.body = message.body();
  keep_alive_ = message.keep_alive();
  // Reads answer inside Handle; writes answer later from the writer thread, which may be
  // before Handle has returned here. Whichever of the two finishes second writes the answer,
  // so the answer never overlaps the rest of this handler. awaiting_answer_ keeps the session
  // alive until then; the responder captures only `this`, so std::function stores it without
  // allocating.
  answer_or_handled_.store(false, std::memory_order_relaxed);
  awaiting_answer_ = shared_from_this();
  HandledRequest handled = listener_.api().Handle(
      request_, [this](HttpResponse response) { OnAnswer(std::move(response)); });
  route_ = handled.route;
  token_index_.store(handled.token_index, std::memory_order_relaxed);
  if (answer_or_handled_.exchange(true, std::memory_order_acq_rel)) {
    awaiting_answer_.reset();  // this handler's own reference keeps the session alive
    Write();
  }
}

void Session::OnAnswer(HttpResponse response) {
  answer_ = std::move(response);
  if (!answer_or_handled_.exchange(true, std::memory_order_acq_rel)) return;  // Handle's turn
  net::post(socket_.get_executor(), [self = std::move(awaiting_answer_)] { self->Write(); });
}

void Session::Write() {
  status_ = answer_.status;
  bool stream = answer_.stream && request_.method != "HEAD";
  answer_keep_alive_ = keep_alive_ && !stream && !listener_.stopping();
  WriteResponseHead(
      head_, answer_,
      {parser_->get().version() == 10, answer_keep_alive_, stream, request_.request_id});
  if (stream) return HandOverToStream();
  std::string_view body = request_.method == "HEAD" ? std::string_view() : answer_.body_bytes();
  std::array<net::const_buffer, 2> buffers = {net::buffer(head_), net::buffer(body)};
  error_code error;
  std::size_t written = socket_.write_some(buffers, error);  // non-blocking: never waits
  if (!error && written == head_.size() + body.size()) return OnWritten();
  if (error && error != net::error::would_block) return Close();
  beast::buffers_suffix<std::array<net::const_buffer, 2>> rest(buffers);
  rest.consume(error ? 0 : written);
  SetDeadline(listener_.options().request_timeout);  // a client must take its answer
  BeginOperation();
  net::async_write(socket_, rest, [self = shared_from_this()](error_code error, std::size_t) {
    self->EndOperation();
    self->ClearDeadline();
    if (error) {
      self->RecordRequest();
      return self->Close();
    }
    self->OnWritten();
  });
}

void Session::HandOverToStream() {
  StreamRequest record{std::string(request_.target.substr(0, request_.target.find('?'))),
                       request_.request_id, route_, started_};
  std::optional<Socket> socket;
  {
    std::lock_guard lock(close_mutex_);  // ShutDownFromOutside may look at socket_ meanwhile
    socket.emplace(std::move(socket_));
  }
  auto stream = std::make_shared<StreamSession>(std::move(*socket), listener_,
                                                std::move(answer_.stream), std::move(record));
  stream->token_index_.store(token_index_.load(std::memory_order_relaxed),
                             std::memory_order_relaxed);
  stream->Start(std::move(head_));
  ClearDeadline();
}

void Session::OnWritten() {
  RecordRequest();
  answer_.shared_body.reset();  // lets go of the projection's bytes
  if (!answer_keep_alive_) return Close();
  if (buffer_.size() > 0 && ++inline_requests_ >= kInlineRequests) {
    inline_requests_ = 0;
    return net::post(socket_.get_executor(),
                     beast::bind_front_handler(&Session::Read, shared_from_this()));
  }
  if (buffer_.size() > 0) return Read();
  inline_requests_ = 0;
  // The client has not even seen this answer, so a read now would only find EAGAIN: Asio's
  // async_read_some always tries one recv before it waits, where nginx takes a short read as
  // "drained" and waits for epoll. Deferred behind the handlers already queued (the thread's
  // private queue: no lock, no wake-up), the read often finds the next request instead.
  net::defer(socket_.get_executor(), [self = shared_from_this()] { self->Read(); });
}

void Session::RecordRequest() {
  listener_.RecordRequest(route_, request_.method,
                          request_.target.substr(0, request_.target.find('?')), status_, started_,
                          request_.request_id);
}

void Session::Close() {
  ClearDeadline();
  idle_since_.store(0, std::memory_order_relaxed);
  CloseSocket(close_mutex_, socket_);
}

}  // namespace flagledger

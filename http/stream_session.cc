#include "http/stream_session.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <cassert>

#include "http/access_log.h"
#include "http/listener.h"

namespace flagledger {

namespace http = boost::beast::http;
using boost::system::error_code;

StreamSession::StreamSession(Socket&& socket, Listener& listener,
                             std::shared_ptr<ResponseStream> source, StreamRequest request)
    : socket_(std::move(socket)),
      listener_(listener),
      source_(std::move(source)),
      request_(std::move(request)),
      strand_(net::make_strand(socket_.get_executor())),
      heartbeat_(socket_.get_executor()) {
  if (listener_.options().metrics) listener_.options().metrics->ConnectionOpened();
}

StreamSession::~StreamSession() {
  Close();
  if (listener_.options().metrics) listener_.options().metrics->ConnectionClosed();
  listener_.Unregister(this);
}

template <class Handler>
auto StreamSession::OnStrand(Handler&& handler) {
  return net::bind_executor(strand_, std::forward<Handler>(handler));
}

void StreamSession::AssertOnStrand() const { assert(strand_.running_in_this_thread()); }

void StreamSession::Start(std::string head) {
  listener_.Register(this, weak_from_this());
  head_ = std::move(head);
  SetDeadline(listener_.options().request_timeout);
  // A stream opened while the server began stopping is closed like the others.
  if (listener_.stopping()) ShutDownFromOutside(kShutReceive);
  net::async_write(socket_, net::buffer(head_),
                   OnStrand([self = shared_from_this()](error_code error, std::size_t) {
                     self->OnHeader(error);
                   }));
}

void StreamSession::CloseIfIdle(bool streams_too) {
  if (streams_too) ShutDownFromOutside(kShutReceive);
}

void StreamSession::ShutDownFromOutside(int how) { ShutDownSocket(close_mutex_, socket_, how); }

void StreamSession::OnHeader(error_code error) {
  AssertOnStrand();
  ClearDeadline();
  if (error) return Close();
  ChangeNotifier* notifier = listener_.options().notifier;
  if (source_->live()) {
    opened_ = true;
    if (listener_.options().metrics) listener_.options().metrics->StreamOpened();
    if (notifier) {
      subscription_ = notifier->Subscribe([weak = weak_from_this(), strand = strand_] {
        net::post(strand, [weak] {
          if (auto self = weak.lock()) self->Pump();
        });
      });
    }
  }
  // The client sends nothing more; a read ends when it goes away (or the socket is shut down).
  socket_.async_read_some(
      net::buffer(discard_),
      OnStrand([self = shared_from_this()](error_code, std::size_t) { self->Close(); }));
  Pump();
}

void StreamSession::Pump() {
  AssertOnStrand();
  if (!source_ || writing_) return;
  frame_.clear();
  switch (source_->Next(frame_)) {
    case ResponseStream::Part::kData:
      return WriteFrame();
    case ResponseStream::Part::kNothingYet:
      if (!heartbeat_armed_) ArmHeartbeat();
      return;
    case ResponseStream::Part::kEnd:
      return WriteLastChunk();
    case ResponseStream::Part::kFailed:
      LogEvent("warn", "streamed answer cut short: the log could not be read",
               "\"request_id\":\"" + request_.request_id + "\"");
      return Close();
  }
}

void StreamSession::ArmHeartbeat() {
  heartbeat_armed_ = true;
  heartbeat_.expires_after(source_->HeartbeatInterval(listener_.options().heartbeat_interval));
  heartbeat_.async_wait(OnStrand([weak = weak_from_this()](error_code error) {
    auto self = weak.lock();
    if (!self) return;
    self->AssertOnStrand();
    self->heartbeat_armed_ = false;
    if (error || !self->source_ || self->writing_) return;
    self->frame_.clear();
    if (self->source_->Next(self->frame_) != ResponseStream::Part::kData) {
      self->frame_ = self->source_->Heartbeat();
    }
    self->WriteFrame();
  }));
}

void StreamSession::WriteLastChunk() {
  writing_ = true;
  SetDeadline(listener_.options().request_timeout);
  net::async_write(socket_, http::make_chunk_last(),
                   OnStrand([self = shared_from_this()](error_code, std::size_t) {
                     self->AssertOnStrand();
                     self->writing_ = false;
                     self->Close();
                   }));
}

void StreamSession::WriteFrame() {
  writing_ = true;
  heartbeat_.cancel();
  SetDeadline(listener_.options().request_timeout);
  net::async_write(socket_, http::make_chunk(net::buffer(frame_)),
                   OnStrand([self = shared_from_this()](error_code error, std::size_t) {
                     self->AssertOnStrand();
                     self->writing_ = false;
                     self->ClearDeadline();
                     if (error) {
                       if (self->timed_out_.load(std::memory_order_acquire)) {
                         LogEvent("warn", "change stream closed: the client did not keep up",
                                  "\"request_id\":\"" + self->request_.request_id + "\"");
                       }
                       return self->Close();
                     }
                     self->Pump();
                   }));
}

void StreamSession::Close() {
  ClearDeadline();
  if (source_) {
    source_.reset();
    ChangeNotifier* notifier = listener_.options().notifier;
    if (subscription_ != 0 && notifier) notifier->Unsubscribe(subscription_);
    subscription_ = 0;
    heartbeat_.cancel();
    if (opened_ && listener_.options().metrics) listener_.options().metrics->StreamClosed();
    listener_.RecordRequest(request_.route, "GET", request_.path, 200, request_.started,
                            request_.request_id);
  }
  CloseSocket(close_mutex_, socket_);
}

}  // namespace flagledger

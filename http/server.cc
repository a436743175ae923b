// The only translation unit with Beast and Asio; it changes rarely (about 25 s to compile).
// Sessions live by shared_from_this as in Beast's example/advanced/server. The request path
// is shaped after nginx's rather than the example's, because each of these showed as extra
// system calls per request under load (see bench/RESULTS.md):
//  - Threads: all run one io_context, so a ready connection is served by whichever thread is
//    free, not by one particular thread that may be busy with a slow request or preempted in
//    a handler (only the thread in epoll_wait at the moment gathers new readiness). A
//    connection has one operation outstanding at a time (read, answer, read ...), so its
//    handlers never overlap and need no strand. Other threads reach it only to close it, and
//    they do that with shutdown(2) under the session's close mutex: its pending operation
//    then ends and the session closes itself. A change stream, which has several operations
//    outstanding, runs its handlers on a strand of its own.
//  - Deadlines: a session stores the time its current wait must end, and one sweep every
//    kSweepInterval closes the sessions past theirs; no timer is armed or cancelled per request
//    (a per-operation timer re-armed the kernel's timerfd and posted cancelled waits).
//  - Parsing: Beast's request parser is fed from the session's buffer directly, and an answer
//    is first written without waiting (the socket is non-blocking); only what the kernel does
//    not take at once goes through async_write. No completion is posted per request.
//  - The next read: deferred behind the handlers already queued, so Asio's one speculative
//    recv tends to find the next request instead of EAGAIN (see OnWritten).
#include "http/server.h"

#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/defer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <condition_variable>
#include <limits>
#include <memory_resource>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/access_log.h"
#include "http/event_stream.h"
#include "http/problem.h"
#include "http/request_id.h"

namespace flagledger {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class Session;

// Sockets and streams bound to an io_context's own executor type rather than the
// type-erased any_io_executor: no executor copies through a type-erasing wrapper on every
// operation (about 4% of the server's CPU in a profile under wrk).
using Executor = net::io_context::executor_type;
using Strand = net::strand<Executor>;
using Socket = net::basic_stream_socket<tcp, Executor>;
template <class TimerExecutor>
using TimerOn =
    net::basic_waitable_timer<std::chrono::steady_clock,
                              net::wait_traits<std::chrono::steady_clock>, TimerExecutor>;
using Timer = TimerOn<Executor>;

// How often deadlines are checked: a connection past its deadline is closed within this.
constexpr std::chrono::milliseconds kSweepInterval{100};

struct HttpServer::Impl {
  Impl(ServerOptions o, Api& a, int threads)
      : options(std::move(o)),
        api(a),
        thread_count(threads),
        context(threads),
        keep_running(context.get_executor()),
        control(net::make_strand(context)),
        acceptor(control),
        sweep_timer(control) {}

  void Accept();
  // Every kSweepInterval, times out the sessions past their deadline.
  // It keeps running through Shutdown's grace period, until the threads stop.
  void Sweep();
  // At the connection limit, asks the longest-idle session to close; false when none is idle.
  bool MakeRoom();
  void Register(Session* session, std::weak_ptr<Session> handle);
  void Unregister(Session* session);

  ServerOptions options;
  Api& api;
  int thread_count;
  net::io_context context;  // run by all thread_count threads
  // Keep the threads running until Shutdown has drained the sessions, so that an answer the
  // writer thread hands back late still finds them.
  net::executor_work_guard<Executor> keep_running;
  Strand control;  // the acceptor's and the sweep's handlers, one at a time
  net::basic_socket_acceptor<tcp, Strand> acceptor;
  TimerOn<Strand> sweep_timer;
  std::chrono::steady_clock::time_point last_limit_warning;  // acceptor's handler only
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  bool shut_down = false;

  std::mutex sessions_mutex;  // guards sessions
  std::condition_variable sessions_gone;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
};

// One connection: read a request, answer it, repeat while keep-alive holds.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket&& socket, HttpServer::Impl& server)
      : socket_(std::move(socket)), server_(server), heartbeat_(socket_.get_executor()) {
    if (server_.options.metrics) server_.options.metrics->ConnectionOpened();
  }
  ~Session() {
    EndStream();
    if (server_.options.metrics) server_.options.metrics->ConnectionClosed();
    server_.Unregister(this);
  }

  void Start() {
    server_.Register(this, weak_from_this());
    beast::error_code ignored;
    socket_.non_blocking(true, ignored);               // Write tries the kernel first; see there
    socket_.set_option(tcp::no_delay(true), ignored);  // frames and answers go out at once
    Read();  // on the acceptor's thread: any server thread may run any session
  }

  // Called from any thread on shutdown (and at the connection limit): an idle connection or
  // a change stream is closed now, a busy one after its answer. Shuts down only the receiving
  // side: the pending read ends, and the session closes itself; a request that raced in is
  // still answered.
  void CloseIfIdle(bool streams_too) {
    if (idle_.load() || (streams_too && streaming_.load(std::memory_order_acquire))) {
      ShutDownFromOutside(SHUT_RD);
    }
  }

  // Called by the sweep when the deadline looked past: if it still is (the wait may have
  // ended meanwhile), sets timed_out_ and shuts the socket down both ways, so the pending
  // read or write ends with an error and the session closes itself.
  void TimeOut() {
    std::int64_t deadline = deadline_.load(std::memory_order_relaxed);
    if (deadline == 0 || deadline > NowTicks()) return;
    timed_out_.store(true, std::memory_order_release);
    ShutDownFromOutside(SHUT_RDWR);
  }

  // When the current wait for the client must end, in NowTicks(); 0 when not waiting on it.
  // Written by the session's thread, read by the sweep.
  std::atomic<std::int64_t> deadline_{0};
  // When the session began waiting for its next request, in NowTicks(); 0 while a request is
  // under way. Read by the acceptor to choose whom to close at the connection limit.
  std::atomic<std::int64_t> idle_since_{0};
  static std::int64_t NowTicks() {
    return std::chrono::steady_clock::now().time_since_epoch().count();
  }

 private:
  // shutdown(2) is safe beside the session's own operations; the close mutex keeps Close()
  // from releasing the descriptor (which a new connection could then reuse) meanwhile.
  void ShutDownFromOutside(int how) {
    std::lock_guard lock(close_mutex_);
    if (socket_.is_open()) ::shutdown(socket_.native_handle(), how);
  }

  void SetDeadline(std::chrono::seconds from_now, std::int64_t now = NowTicks()) {
    deadline_.store(now + std::chrono::steady_clock::duration(from_now).count(),
                    std::memory_order_relaxed);
  }
  void ClearDeadline() { deadline_.store(0, std::memory_order_relaxed); }

  // Waits for the first bytes of the next request (a pipelined one may be buffered already).
  void Read() {
    idle_.store(true);  // seq_cst: see Shutdown
    std::int64_t now = NowTicks();
    idle_since_.store(now, std::memory_order_relaxed);
    if (buffer_.size() > 0) return ReadRequest();
    // Shutdown may have looked before idle_ was set: then this ends the read as CloseIfIdle
    // would have (a request already sent is still read and answered, then the session closes).
    if (server_.stopping.load()) ShutDownFromOutside(SHUT_RD);
    SetDeadline(served_ > 0 ? server_.options.idle_timeout : server_.options.request_timeout, now);
    socket_.async_read_some(buffer_.prepare(kReadChunk),
                            beast::bind_front_handler(&Session::OnFirstBytes, shared_from_this()));
  }

  void OnFirstBytes(beast::error_code error, std::size_t bytes) {
    if (error) return Close();  // end of stream, idle timeout, or closed to make room
    buffer_.commit(bytes);
    ReadRequest();
  }

  // The request has begun: its clock starts (as nginx's $request_time, from its first bytes),
  // and the rest of its headers and body get one deadline, so a client that trickles bytes
  // (slow loris) is cut off.
  void ReadRequest() {
    idle_.store(false, std::memory_order_release);
    idle_since_.store(0, std::memory_order_relaxed);
    parser_.reset();  // nothing refers to its fields any more: the last answer is out
    field_memory_.release();
    parser_.emplace(std::piecewise_construct, std::make_tuple(),
                    std::make_tuple(FieldAllocator(&field_memory_)));
    parser_->body_limit(server_.options.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.header_limit));
    started_ = std::chrono::steady_clock::now();
    SetDeadline(server_.options.request_timeout, started_.time_since_epoch().count());
    Parse();
  }

  // Feeds the buffered bytes to the parser, reading more until the request is complete.
  void Parse() {
    while (!parser_->is_done()) {
      beast::error_code error;
      if (buffer_.size() > 0) {
        std::size_t used = parser_->put(buffer_.data(), error);
        buffer_.consume(used);
        if (error == http::error::body_limit) return AnswerBodyTooLarge();
        if (error && error != http::error::need_more) return Close();  // not HTTP, or too long
        if (!error && used > 0) continue;
      }
      return socket_.async_read_some(
          buffer_.prepare(kReadChunk),
          beast::bind_front_handler(&Session::OnMoreBytes, shared_from_this()));
    }
    OnRequest();
  }

  void OnMoreBytes(beast::error_code error, std::size_t bytes) {
    if (error) return Close();  // end of stream before the request was complete, or timeout
    buffer_.commit(bytes);
    Parse();
  }

  // The request line and headers are in: counts the request, stops waiting
  // on the client (answering is the server's part), and takes what every answer needs.
  void BeginRequest() {
    ++served_;
    ClearDeadline();
    auto& message = parser_->get();
    request_.method = message.method_string();
    request_.target = message.target();
    ChooseRequestId(message[kRequestIdHeader], request_.request_id);
  }

  void AnswerBodyTooLarge() {
    BeginRequest();
    keep_alive_ = false;
    answer_ = ProblemResponse(Status(ErrorCode::kPayloadTooLarge,
                                     "the request body is larger than " +
                                         std::to_string(server_.options.body_limit) + " bytes"));
    Write();
  }

  void OnRequest() {
    BeginRequest();
    auto& message = parser_->get();
    request_.content_type = message[http::field::content_type];
    request_.if_match = message[http::field::if_match];
    request_.if_none_match = message[http::field::if_none_match];
    request_.idempotency_key = message["Idempotency-Key"];
    request_.authorization = message[http::field::authorization];
    request_.last_event_id = message["Last-Event-ID"];
    request_.body = message.body();
    keep_alive_ = message.keep_alive();
    // Reads answer inside Handle; writes answer later from the writer thread, which may be
    // before Handle has returned here. Whichever of the two finishes second writes the answer,
    // so the answer never overlaps the rest of this handler. awaiting_answer_ keeps the session
    // alive until then; the responder captures only `this`, so std::function stores it without
    // allocating.
    answer_or_handled_.store(false, std::memory_order_relaxed);
    awaiting_answer_ = shared_from_this();
    route_ = server_.api.Handle(request_,
                                [this](HttpResponse response) { OnAnswer(std::move(response)); });
    if (answer_or_handled_.exchange(true, std::memory_order_acq_rel)) {
      awaiting_answer_.reset();  // this handler's own reference keeps the session alive
      Write();
    }
  }

  // Api::Handle's responder, called once per request on any thread.
  void OnAnswer(HttpResponse response) {
    answer_ = std::move(response);
    if (!answer_or_handled_.exchange(true, std::memory_order_acq_rel)) return;  // Handle's turn
    net::post(socket_.get_executor(), [self = std::move(awaiting_answer_)] { self->Write(); });
  }

  // Sends answer_, which keeps its body until the next request. The response head is written by
  // hand into a buffer the session keeps (Beast's fields allocate per header; see
  // bench/RESULTS.md), and head and body are offered to the kernel at once in one gathered
  // write; what it does not take goes through async_write.
  void Write() {
    status_ = answer_.status;
    bool stream = answer_.stream && request_.method != "HEAD";
    answer_keep_alive_ =
        keep_alive_ && !stream && !server_.stopping.load(std::memory_order_acquire);
    bool http10 = parser_->get().version() == 10;
    head_.clear();
    head_ += http10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    head_ += std::to_string(answer_.status);
    head_ += ' ';
    head_ += http::obsolete_reason(http::int_to_status(static_cast<unsigned>(answer_.status)));
    head_ += "\r\nServer: flagledger\r\n";
    AppendHeader("Content-Type", MediaTypeName(answer_.content_type));
    AppendHeader(kRequestIdHeader, request_.request_id);
    if (!answer_.etag.empty()) AppendHeader(kEtagHeader, answer_.etag);
    if (answer_.event_sequence) AppendNumberHeader(kEventSequenceHeader, *answer_.event_sequence);
    for (auto& [name, value] : answer_.headers) AppendHeader(name, value);
    if (stream) {
      head_ += "Transfer-Encoding: chunked\r\n";
    } else if (answer_.status != 304) {
      AppendNumberHeader("Content-Length", answer_.body_bytes().size());
    }
    if (!answer_keep_alive_ && !http10) head_ += "Connection: close\r\n";
    if (answer_keep_alive_ && http10) head_ += "Connection: keep-alive\r\n";
    head_ += "\r\n";
    if (stream) return StartStream(std::move(answer_.stream));
    std::string_view body = request_.method == "HEAD" ? std::string_view() : answer_.body_bytes();
    std::array<net::const_buffer, 2> buffers = {net::buffer(head_), net::buffer(body)};
    beast::error_code error;
    std::size_t written = socket_.write_some(buffers, error);  // non-blocking: never waits
    if (!error && written == head_.size() + body.size()) return OnWritten();
    if (error && error != net::error::would_block) return Close();
    beast::buffers_suffix<std::array<net::const_buffer, 2>> rest(buffers);
    rest.consume(error ? 0 : written);
    SetDeadline(server_.options.request_timeout);  // a client must take its answer
    net::async_write(socket_, rest,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                       self->ClearDeadline();
                       if (error) {
                         self->RecordRequest();
                         return self->Close();
                       }
                       self->OnWritten();
                     });
  }

  void AppendNumberHeader(std::string_view name, std::uint64_t value) {
    char digits[20];
    auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    AppendHeader(name, std::string_view(digits, end - digits));
  }

  // REQUIRES: name and value without CR or LF (they come from the server's own code, and the
  // request id was checked to be printable ASCII).
  void AppendHeader(std::string_view name, std::string_view value) {
    head_ += name;
    head_ += ": ";
    head_ += value;
    head_ += "\r\n";
  }

  // The answer is out: on to the next request. Pipelined requests already buffered are
  // served in turn on this stack, up to kInlineRequests; then the next one is posted.
  void OnWritten() {
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

  void RecordRequest() {
    auto duration = std::chrono::steady_clock::now() - started_;
    if (server_.options.metrics) {
      server_.options.metrics->ObserveRequest(route_, request_.method, status_, duration);
    }
    if (server_.options.access_log) {
      LogRequest(request_.method, request_.target.substr(0, request_.target.find('?')), status_,
                 duration, request_.request_id);
    }
  }

  void Close() {
    EndStream();
    ClearDeadline();
    idle_since_.store(0, std::memory_order_relaxed);
    beast::error_code ignored;
    std::lock_guard lock(close_mutex_);
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
  }

  // `handler`, to run on stream_strand_ (a change stream's operations overlap).
  template <class Handler>
  auto OnStreamStrand(Handler&& handler) {
    return net::bind_executor(*stream_strand_, std::forward<Handler>(handler));
  }

  // Server-Sent Events: the headers (chunked), then frames as the log grows, until the client
  // leaves, a frame is not taken within request_timeout, or the server stops. From here on
  // every handler runs on stream_strand_: the read that notices the client leaving, the frame
  // writes, the heartbeat and the notifier's wake-ups.
  void StartStream(std::shared_ptr<EventStream> source) {
    event_stream_ = std::move(source);
    stream_strand_.emplace(net::make_strand(socket_.get_executor()));
    streaming_.store(true, std::memory_order_release);
    SetDeadline(server_.options.request_timeout);
    net::async_write(
        socket_, net::buffer(head_),
        OnStreamStrand(beast::bind_front_handler(&Session::OnStreamHeader, shared_from_this())));
  }

  void OnStreamHeader(beast::error_code error, std::size_t) {
    ClearDeadline();
    if (error) return Close();
    if (server_.options.metrics) server_.options.metrics->StreamOpened();
    if (ChangeNotifier* notifier = server_.options.notifier) {
      subscription_ = notifier->Subscribe([weak = weak_from_this(), strand = *stream_strand_] {
        net::post(strand, [weak] {
          if (auto self = weak.lock()) self->Pump();
        });
      });
    }
    // The client sends nothing more; a read ends when it goes away.
    buffer_.consume(buffer_.size());
    socket_.async_read_some(buffer_.prepare(kReadChunk),
                            OnStreamStrand([self = shared_from_this()](
                                               beast::error_code, std::size_t) { self->Close(); }));
    Pump();
  }

  // Writes the next batch of events, if any and no write is under way; else waits.
  void Pump() {
    if (!event_stream_ || writing_) return;
    frame_.clear();
    if (!event_stream_->Next(frame_, kStreamBatch)) {
      if (!heartbeat_armed_) ArmHeartbeat();
      return;
    }
    WriteFrame();
  }

  void ArmHeartbeat() {
    heartbeat_armed_ = true;
    heartbeat_.expires_after(server_.options.heartbeat_interval);
    heartbeat_.async_wait(OnStreamStrand([weak = weak_from_this()](beast::error_code error) {
      auto self = weak.lock();
      if (!self) return;
      self->heartbeat_armed_ = false;
      if (error || !self->event_stream_ || self->writing_) return;
      self->frame_.clear();
      if (!self->event_stream_->Next(self->frame_, kStreamBatch)) {
        self->frame_.assign(EventStream::kHeartbeat);
      }
      self->WriteFrame();
    }));
  }

  void WriteFrame() {
    writing_ = true;
    heartbeat_.cancel();
    SetDeadline(server_.options.request_timeout);
    net::async_write(
        socket_, http::make_chunk(net::buffer(frame_)),
        OnStreamStrand([self = shared_from_this()](beast::error_code error, std::size_t) {
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

  // Unsubscribes and records the stream's request; safe to call more than once.
  void EndStream() {
    if (!event_stream_) return;
    event_stream_.reset();
    if (subscription_ != 0 && server_.options.notifier) {
      server_.options.notifier->Unsubscribe(subscription_);
    }
    subscription_ = 0;
    heartbeat_.cancel();
    if (server_.options.metrics) server_.options.metrics->StreamClosed();
    RecordRequest();
  }

  static constexpr std::string_view kRequestIdHeader = "X-Request-Id";
  static constexpr std::size_t kReadChunk = 4096;
  static constexpr std::size_t kFieldBytes = 2048;  // a typical request's fields fit
  static constexpr std::size_t kStreamBatch = 256;  // events per frame write
  static constexpr int kInlineRequests = 16;        // pipelined answers on one stack, then a post

  Socket socket_;
  HttpServer::Impl& server_;
  beast::flat_buffer buffer_;
  // Beast's request fields allocate per header and for the target; they take that memory from
  // the session's own buffer instead (from the heap past kFieldBytes), released as each request
  // begins. Declared before parser_, so that parser_ is destroyed first.
  using FieldAllocator = std::pmr::polymorphic_allocator<char>;
  std::array<std::byte, kFieldBytes> field_bytes_;
  std::pmr::monotonic_buffer_resource field_memory_{field_bytes_.data(), field_bytes_.size()};
  std::optional<http::request_parser<http::string_body, FieldAllocator>> parser_;
  std::string head_;  // the response's status line and headers
  bool answer_keep_alive_ = false;
  HttpRequest request_;
  std::chrono::steady_clock::time_point started_;
  int status_ = 0;
  bool keep_alive_ = false;
  HttpResponse answer_;  // the current request's answer, from Api::Handle's until written
  std::shared_ptr<Session> awaiting_answer_;  // this session, from Handle until its answer
  // Set by the first of: Api::Handle's answer arriving, OnRequest's handler returning.
  std::atomic<bool> answer_or_handled_{false};
  int inline_requests_ = 0;             // pipelined requests served on this stack in a row
  std::atomic<bool> timed_out_{false};  // shut down by the sweep: the client missed its deadline
  // Waiting for the next request. Unlike idle_since_, it stays true when MakeRoom picked the
  // session (and zeroed idle_since_ so that no other connection picks it too).
  std::atomic<bool> idle_{false};
  std::atomic<bool> streaming_{false};  // answering with a change stream
  std::mutex close_mutex_;              // Close() against ShutDownFromOutside()
  std::uint64_t served_ = 0;            // requests read on this connection
  std::optional<Route> route_;
  // Change-stream state (event_stream_ set while streaming).
  std::shared_ptr<EventStream> event_stream_;
  std::optional<Strand> stream_strand_;
  Timer heartbeat_;
  std::string frame_;
  std::uint64_t subscription_ = 0;
  bool writing_ = false;
  bool heartbeat_armed_ = false;
};

void HttpServer::Impl::Accept() {
  acceptor.async_accept(context, [this](beast::error_code error, Socket socket) {
    if (error) {
      if (error == net::error::operation_aborted || !acceptor.is_open()) return;  // shutting down
      LogEvent("warn", "accept failed", "\"error\":\"" + error.message() + "\"");
    } else if (MakeRoom()) {
      std::make_shared<Session>(std::move(socket), *this)->Start();
    } else {
      beast::error_code ignored;
      socket.close(ignored);
    }
    Accept();
  });
}

void HttpServer::Impl::Sweep() {
  sweep_timer.expires_after(kSweepInterval);
  sweep_timer.async_wait([this](beast::error_code error) {
    if (error) return;
    std::int64_t now = Session::NowTicks();
    std::vector<std::shared_ptr<Session>> late;
    {
      std::lock_guard lock(sessions_mutex);
      for (auto& [session, handle] : sessions) {
        std::int64_t deadline = session->deadline_.load(std::memory_order_relaxed);
        if (deadline == 0 || deadline > now) continue;
        if (auto held = handle.lock()) late.push_back(std::move(held));
      }
    }
    // Outside the lock: the last reference may destroy a session, which unregisters.
    for (auto& session : late) session->TimeOut();
    late.clear();
    Sweep();
  });
}

bool HttpServer::Impl::MakeRoom() {
  std::shared_ptr<Session> longest_idle;
  {
    std::lock_guard lock(sessions_mutex);
    if (sessions.size() < options.max_connections) return true;
    std::int64_t oldest = std::numeric_limits<std::int64_t>::max();
    Session* chosen = nullptr;
    for (auto& [session, handle] : sessions) {
      std::int64_t since = session->idle_since_.load(std::memory_order_relaxed);
      if (since != 0 && since < oldest) {
        oldest = since;
        chosen = session;
      }
    }
    // Taken off the idle list at once, so that the next connection picks another one.
    if (chosen && chosen->idle_since_.compare_exchange_strong(oldest, 0)) {
      longest_idle = sessions[chosen].lock();
    }
  }
  // Released outside the lock: the last reference may destroy the session, which unregisters.
  auto now = std::chrono::steady_clock::now();
  if (now - last_limit_warning > std::chrono::seconds(1)) {  // at most one line a second
    last_limit_warning = now;
    LogEvent("warn",
             longest_idle ? "connection limit reached; closing the longest-idle one"
                          : "connection limit reached; refusing a connection",
             "\"max_connections\":" + std::to_string(options.max_connections));
  }
  if (!longest_idle) return false;
  longest_idle->CloseIfIdle(false);
  return true;
}

void HttpServer::Impl::Register(Session* session, std::weak_ptr<Session> handle) {
  std::lock_guard lock(sessions_mutex);
  sessions.emplace(session, std::move(handle));
}

void HttpServer::Impl::Unregister(Session* session) {
  std::lock_guard lock(sessions_mutex);
  sessions.erase(session);
  if (sessions.empty()) sessions_gone.notify_all();
}

namespace {

// Makes the calling thread SCHED_BATCH: woken, it waits for the running thread's slice instead
// of preempting it. Best effort; the policy needs no privilege.
void UseBatchScheduling() {
#ifdef SCHED_BATCH
  sched_param priority{};  // 0, the only priority SCHED_BATCH takes
  pthread_setschedparam(pthread_self(), SCHED_BATCH, &priority);
#endif
}

int ThreadCount(const ServerOptions& options) {
  int threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  return std::max(threads, 1);
}

}  // namespace

HttpServer::HttpServer(ServerOptions options, Api& api)
    : impl_(std::make_unique<Impl>(options, api, ThreadCount(options))) {}

HttpServer::~HttpServer() { Shutdown(std::chrono::seconds(0)); }

Status HttpServer::Listen() {
  beast::error_code error;
  auto address = net::ip::make_address(impl_->options.address, error);
  if (error) {
    return Status(ErrorCode::kUnavailable,
                  "invalid listen address '" + impl_->options.address + "'");
  }
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(net::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(net::socket_base::max_listen_connections, error);
  if (!error) return Status::Ok();
  return Status(ErrorCode::kUnavailable, "cannot listen on " + impl_->options.address + ":" +
                                             std::to_string(impl_->options.port) + ": " +
                                             error.message());
}

std::uint16_t HttpServer::port() const {
  beast::error_code error;
  return impl_->acceptor.local_endpoint(error).port();
}

void HttpServer::Start() {
  net::dispatch(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    impl->Accept();
    impl->Sweep();
  });
  bool batch = impl_->options.batch_scheduling;
  for (int i = 0; i < impl_->thread_count; ++i) {
    impl_->threads.emplace_back([context = &impl_->context, batch] {
      if (batch) UseBatchScheduling();
      context->run();
    });
  }
}

void HttpServer::Shutdown(std::chrono::seconds grace) {
  Impl& impl = *impl_;
  if (impl.shut_down) return;
  impl.shut_down = true;
  // seq_cst, as are Session::Read's store of idle_ and CloseIfIdle's load of it: a session
  // that turns idle meanwhile either is seen idle below or sees stopping itself.
  impl.stopping.store(true);
  net::dispatch(impl.acceptor.get_executor(), [&impl] {
    beast::error_code ignored;
    impl.acceptor.close(ignored);
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(impl.sessions_mutex);
    for (auto& [session, handle] : impl.sessions) {
      if (auto held = handle.lock()) live.push_back(std::move(held));
    }
  }
  for (auto& session : live) session->CloseIfIdle(true);
  live.clear();  // may destroy sessions, which unregister themselves
  {
    std::unique_lock lock(impl.sessions_mutex);
    impl.sessions_gone.wait_for(lock, grace, [&impl] { return impl.sessions.empty(); });
  }
  impl.keep_running.reset();
  impl.context.stop();
  for (auto& thread : impl.threads) thread.join();
  impl.threads.clear();
}

}  // namespace flagledger

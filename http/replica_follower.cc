#include "http/replica_follower.h"

#include <simdjson.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <limits>

#include "core/json_writer.h"
#include "events/base64.h"
#include "http/access_log.h"
#include "http/leader_url.h"
#include "http/prometheus_text.h"

namespace flagledger {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::chrono::milliseconds kReconnectPause{200};
constexpr std::size_t kReadChunk = std::size_t{1} << 20;

// One SSE frame: its event name and its data lines.
struct Frame {
  std::string_view event;
  std::vector<std::string_view> data;
};

Frame SplitFrame(std::string_view text) {
  Frame frame;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.starts_with("event: ")) frame.event = line.substr(7);
    if (line.starts_with("data: ")) frame.data.push_back(line.substr(6));
  }
  return frame;
}

}  // namespace

// The connection to the leader, run by coroutines on the follower's own io_context.
struct ReplicaFollower::Feed {
  net::io_context io;
  simdjson::dom::parser parser;

  // Follows until the connection breaks; answers why.
  static net::awaitable<std::string> FollowOnce(ReplicaFollower& follower, LeaderAddress address);
  static net::awaitable<void> FollowForever(ReplicaFollower& follower);
  // Handles one complete frame: empty, or why following must reconnect (or stop).
  static std::string HandleFrame(ReplicaFollower& follower, std::string_view text, bool& verified,
                                 std::vector<ReplicatedBatch>& ready);
  static std::string ApplyReady(ReplicaFollower& follower, std::vector<ReplicatedBatch>& ready);
};

void AppendReplicaMetrics(std::string& out, const FollowerState& state) {
  auto gauge = [&](std::string_view name, std::string_view help, double value) {
    Header(out, name, "gauge", help);
    Sample(out, name, "", value);
  };
  gauge("flagledger_replica_applied_sequence", "The newest event this follower applied.",
        static_cast<double>(state.applied));
  gauge("flagledger_replica_leader_sequence", "The newest event the leader reported.",
        static_cast<double>(state.leader_head));
  gauge("flagledger_replica_lag_events", "Events the leader has that this follower lacks.",
        static_cast<double>(state.lag_events()));
  gauge("flagledger_replica_lag_seconds",
        "Age of the oldest event this follower lacks, on the leader's clock (0: caught up).",
        state.lag_seconds);
  gauge("flagledger_replica_silent_seconds", "Seconds since the leader's last frame.",
        state.silent_seconds);
  gauge("flagledger_replica_connected", "1 while the leader's feed is open.",
        state.connected ? 1 : 0);
  gauge("flagledger_replica_stopped",
        "1 once applying stopped for good (another log, or a batch that does not follow).",
        state.stopped ? 1 : 0);
  auto counter = [&](std::string_view name, std::string_view help, std::uint64_t value) {
    Header(out, name, "counter", help);
    Sample(out, name, "", static_cast<double>(value));
  };
  counter("flagledger_replica_batches_applied_total", "Leader batches applied.",
          state.batches_applied);
  counter("flagledger_replica_reconnects_total", "Times the leader's feed was lost.",
          state.reconnects);
  counter("flagledger_replica_apply_failures_total", "Batches that could not be applied.",
          state.apply_failures);
}

ReplicaFollower::ReplicaFollower(FlagStore& store, FollowerOptions options)
    : store_(store),
      options_(std::move(options)),
      feed_(std::make_unique<Feed>()),
      waiters_(store) {
  MutexLock lock(mutex_);
  last_heard_ = std::chrono::steady_clock::now();
  state_.applied = store_.log().last_sequence();
  state_.problem = "not connected to the leader yet";
}

ReplicaFollower::~ReplicaFollower() { Stop(); }

void ReplicaFollower::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ReplicaFollower::Stop() {
  if (!thread_.joinable()) return;
  feed_->io.stop();
  thread_.join();
}

void ReplicaFollower::Run() {
  net::co_spawn(feed_->io, Feed::FollowForever(*this), net::detached);
  feed_->io.run();
  waiters_.Stop();  // whoever still waits gets its answer now
}

FollowerState ReplicaFollower::state() const {
  MutexLock lock(mutex_);
  FollowerState state = state_;
  auto now = std::chrono::steady_clock::now();
  state.silent_seconds = std::chrono::duration<double>(now - last_heard_).count();
  state.leader_head = lag_.leader_head();  // kept by lag_ alone
  state.lag_seconds = lag_.Seconds(now);
  return state;
}

bool ReplicaFollower::ready() const {
  FollowerState now = state();
  double max_lag = std::chrono::duration<double>(options_.max_lag).count();
  return !now.stopped && now.heard && now.lag_seconds <= max_lag && now.silent_seconds <= max_lag;
}

void ReplicaFollower::WhenApplied(std::uint64_t sequence, std::chrono::milliseconds bound,
                                  std::function<void(bool)> done) {
  waiters_.Wait(sequence, bound, std::move(done));
}

void ReplicaFollower::Heard(std::uint64_t leader_head, std::optional<Timestamp> leader_time) {
  MutexLock lock(mutex_);
  last_heard_ = std::chrono::steady_clock::now();
  state_.heard = true;
  lag_.Heard(leader_head, state_.applied, store_.log().last_recorded_at(), leader_time,
             last_heard_);
}

void ReplicaFollower::Received(std::uint64_t first, Timestamp recorded_at) {
  MutexLock lock(mutex_);
  lag_.Received(first, state_.applied, recorded_at);
}

void ReplicaFollower::Applied(std::uint64_t last, std::size_t batches) {
  MutexLock lock(mutex_);
  state_.applied = last;
  state_.batches_applied += batches;
  lag_.Applied(last);
}

void ReplicaFollower::SetConnected(bool connected, const std::string& problem) {
  MutexLock lock(mutex_);
  state_.connected = connected;
  if (!state_.stopped) state_.problem = problem;
  if (!connected) {
    ++state_.reconnects;
    lag_.Disconnected();
  }
}

void ReplicaFollower::StopApplying(const std::string& problem) {
  {
    MutexLock lock(mutex_);
    if (state_.stopped) return;
    state_.stopped = true;
    state_.problem = problem;
  }
  std::string fields = "\"problem\":";
  AppendJsonString(fields, problem);
  LogEvent("error", "stopped following the leader", fields);
  if (options_.on_stopped) options_.on_stopped(problem);
}

net::awaitable<void> ReplicaFollower::Feed::FollowForever(ReplicaFollower& follower) {
  auto executor = co_await net::this_coro::executor;
  net::steady_timer pause(executor);
  auto address = ParseLeaderUrl(follower.options_.leader_url);
  if (!address) {
    follower.StopApplying("the leader's URL is not http://HOST:PORT: " +
                          follower.options_.leader_url);
    co_return;
  }
  std::string reported;  // logged once until it changes or a batch applies
  std::uint64_t applied_when_reported = 0;
  for (;;) {
    std::string problem = co_await FollowOnce(follower, *address);
    follower.SetConnected(false, problem);
    FollowerState state = follower.state();
    if (state.stopped) co_return;
    if (problem != reported || state.batches_applied != applied_when_reported) {
      std::string fields = "\"problem\":";
      AppendJsonString(fields, problem);
      LogEvent("warn", "lost the leader's feed; reconnecting", fields);
      reported = problem;
      applied_when_reported = state.batches_applied;
    }
    pause.expires_after(kReconnectPause);
    error_code ignored;
    co_await pause.async_wait(net::redirect_error(net::use_awaitable, ignored));
  }
}

net::awaitable<std::string> ReplicaFollower::Feed::FollowOnce(ReplicaFollower& follower,
                                                              LeaderAddress address) {
  auto executor = co_await net::this_coro::executor;
  error_code error;
  auto on_error = net::redirect_error(net::use_awaitable, error);
  tcp::resolver resolver(executor);
  auto endpoints = co_await resolver.async_resolve(address.host, address.port, on_error);
  if (error) co_return "cannot resolve the leader: " + error.message();
  beast::tcp_stream stream(executor);
  const auto silence = std::max<std::chrono::steady_clock::duration>(3 * follower.options_.max_lag,
                                                                     std::chrono::seconds(1));
  stream.expires_after(silence);
  co_await stream.async_connect(endpoints, on_error);
  if (error) co_return "cannot connect to the leader: " + error.message();

  http::request<http::empty_body> request{http::verb::get,
                                          "/api/v1/events/stream?batches=true&after=" +
                                              std::to_string(follower.store_.log().last_sequence()),
                                          11};
  request.set(http::field::host, address.host + ":" + address.port);
  request.set(http::field::accept, "text/event-stream");
  if (!follower.options_.token.empty()) {
    request.set(http::field::authorization, "Bearer " + follower.options_.token);
  }
  co_await http::async_write(stream, request, on_error);
  if (error) co_return "cannot send to the leader: " + error.message();

  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  co_await http::async_read_header(stream, buffer, parser, on_error);
  if (error) co_return "no answer from the leader: " + error.message();
  if (parser.get().result() != http::status::ok) {
    std::string problem =
        "the leader refused the feed with status " + std::to_string(parser.get().result_int());
    // A log the leader cannot continue from (no batch starts after its last event): this one
    // has diverged from the leader's, which never heals by retrying.
    if (parser.get().result() == http::status::bad_request) follower.StopApplying(problem);
    co_return problem;
  }
  follower.SetConnected(true, "");
  std::string pending;      // bytes after the last complete frame
  std::size_t scanned = 0;  // of `pending`, known to hold no frame end
  std::vector<char> chunk(kReadChunk);
  bool verified = false;
  std::vector<ReplicatedBatch> ready;
  for (;;) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    stream.expires_after(silence);
    co_await http::async_read_some(stream, buffer, parser, on_error);
    if (error == http::error::need_buffer) error = {};
    if (error) co_return "the leader's feed broke: " + error.message();
    pending.append(chunk.data(), chunk.size() - parser.get().body().size);
    std::size_t start = 0;
    for (std::size_t end;
         (end = pending.find("\n\n", std::max(start, scanned))) != std::string::npos;
         start = end + 2) {
      std::string problem = HandleFrame(
          follower, std::string_view(pending).substr(start, end - start), verified, ready);
      if (!problem.empty()) co_return problem;
    }
    pending.erase(0, start);
    scanned = pending.empty() ? 0 : pending.size() - 1;  // "\n\n" may straddle two reads
    // The frames of one read go in one append: a follower far behind catches up in large
    // writes, one sync each, each batch still recorded and made visible whole.
    std::string problem = ApplyReady(follower, ready);
    if (!problem.empty()) co_return problem;
    if (parser.is_done()) co_return "the leader ended the feed";
  }
}

std::string ReplicaFollower::Feed::HandleFrame(ReplicaFollower& follower, std::string_view text,
                                               bool& verified,
                                               std::vector<ReplicatedBatch>& ready) {
  Frame frame = SplitFrame(text);
  if (frame.data.empty()) return "";  // a comment
  simdjson::dom::element header;
  simdjson::dom::parser& parser = follower.feed_->parser;
  if (parser.parse(frame.data[0].data(), frame.data[0].size()).get(header)) {
    return "the leader sent a frame that is not JSON";
  }
  std::uint64_t head = 0;
  if (header["head"].get(head)) return "the leader sent a frame without its head";
  if (frame.event == "heartbeat") {
    std::string_view leader_log;
    if (header["log_id"].get(leader_log)) return "the leader's heartbeat has no log id";
    if (!verified) {
      std::string own_log = follower.store_.log().log_id();
      if (own_log != leader_log) {
        if (follower.store_.log().last_sequence() != 0) {
          follower.StopApplying("this data directory holds another log (id " + own_log +
                                ") than the leader's (id " + std::string(leader_log) + ")");
          return "another log";
        }
        Status adopted = follower.store_.AdoptLogId(std::string(leader_log));
        if (!adopted.ok()) return adopted.detail();
      }
      verified = true;
    }
    // A leader whose log ends before this replica's (restored from an older backup, say) has
    // another history from here on: never serve it as the leader's.
    if (head < follower.store_.log().last_sequence()) {
      follower.StopApplying("the leader's log ends at event " + std::to_string(head) +
                            ", before this replica's last event " +
                            std::to_string(follower.store_.log().last_sequence()));
      return "the leader is behind this replica";
    }
    std::string problem = ApplyReady(follower, ready);
    std::string_view time;
    std::optional<Timestamp> leader_time;
    if (!header["time"].get(time)) {
      if (auto parsed = ParseRfc3339(time); parsed.ok()) leader_time = parsed->time;
    }
    follower.Heard(head, leader_time);
    return problem;
  }
  if (frame.event != "batch") return "";
  if (!verified) return "the leader sent a batch before its log id";
  ReplicatedBatch batch;
  simdjson::dom::array records;
  if (header["first"].get(batch.first) || header["last"].get(batch.last) ||
      header["idempotency"].get(records)) {
    return "the leader sent a batch frame of another shape";
  }
  for (simdjson::dom::element element : records) {
    IdempotencyRecord record;
    std::string_view scope_key, request, response;
    std::int64_t created_at = 0;
    if (element["scope_key"].get(scope_key) || element["created_at"].get(created_at) ||
        element["request"].get(request) || element["response"].get(response)) {
      return "the leader sent an idempotency record of another shape";
    }
    auto request_bytes = DecodeBase64(request), response_bytes = DecodeBase64(response);
    if (!request_bytes || !response_bytes) {
      return "the leader sent an idempotency record that is not base64";
    }
    batch.records.push_back(
        IdempotencyRecord{std::string(scope_key), Timestamp::FromMicros(created_at),
                          std::move(*request_bytes), std::move(*response_bytes)});
  }
  for (std::size_t i = 1; i < frame.data.size(); ++i) batch.events.emplace_back(frame.data[i]);
  // The age of the oldest event not applied yet is the replica's lag: note when it was made.
  simdjson::dom::element first_event;
  std::string_view recorded_at;
  if (frame.data.size() > 1 &&
      !parser.parse(frame.data[1].data(), frame.data[1].size()).get(first_event) &&
      !first_event["recorded_at"].get(recorded_at)) {
    if (auto parsed = ParseRfc3339(recorded_at); parsed.ok()) {
      follower.Received(batch.first, parsed->time);
    }
  }
  ready.push_back(std::move(batch));
  follower.Heard(head, std::nullopt);
  return "";
}

std::string ReplicaFollower::Feed::ApplyReady(ReplicaFollower& follower,
                                              std::vector<ReplicatedBatch>& ready) {
  if (ready.empty()) return "";
  Status applied = follower.store_.ApplyReplicated(ready);
  std::uint64_t last = ready.back().last;
  std::size_t batches = ready.size();
  ready.clear();
  if (!applied.ok()) {
    {
      MutexLock lock(follower.mutex_);
      ++follower.state_.apply_failures;
    }
    // A batch that does not follow this log never will: stop. Storage may recover: retry
    // from the log's end after reconnecting.
    if (applied.code() == ErrorCode::kInternal) follower.StopApplying(applied.detail());
    return "cannot apply the leader's batch: " + applied.detail();
  }
  follower.Applied(last, batches);
  follower.waiters_.Notify();
  return "";
}

}  // namespace flagledger

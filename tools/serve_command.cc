#include "tools/serve_command.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "core/clock.h"
#include "core/json_writer.h"
#include "events/etcd_log.h"
#include "events/event_log.h"
#include "http/access_log.h"
#include "http/cluster_bootstrap.h"
#include "http/cluster_node.h"
#include "http/replica_bootstrap.h"
#include "http/replica_follower.h"
#include "http/server.h"
#include "projections/flag_store.h"
#include "projections/snapshot_store.h"
#include "tools/serve_config.h"
#include "tools/token_spool.h"

namespace flagledger {
namespace {

std::string JsonMember(std::string_view name, std::string_view value) {
  std::string out;
  AppendJsonString(out, name);
  out.push_back(':');
  AppendJsonString(out, value);
  return out;
}

const char* GetEnvironment(const char* name) { return std::getenv(name); }

// Descriptors the process needs beside the connections and the log's table files: the WAL,
// RocksDB's own LOG and lock, the listening socket, snapshots, the token spool, stdio.
constexpr rlim_t kOtherDescriptors = 64;

// Raises the soft limit on open descriptors to the hard one (the usual soft 1024 is far below
// what a server with many clients needs), then keeps --max-connections within what is left
// after the log's files: past it, accept would fail with EMFILE instead of the connection
// limit's orderly "close the longest-idle one".
void FitConnectionsToDescriptors(ServerOptions& server, const EventLogOptions& log) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  rlim_t reserved = static_cast<rlim_t>(log.max_open_files) + kOtherDescriptors;
  rlim_t available = limit.rlim_cur > reserved + 1 ? limit.rlim_cur - reserved : 1;
  std::string fields = "\"descriptor_limit\":" + std::to_string(limit.rlim_cur) +
                       ",\"reserved_for_storage\":" + std::to_string(reserved);
  if (server.max_connections > available) {
    LogEvent("warn", "max_connections lowered to fit the descriptor limit",
             fields + ",\"requested\":" + std::to_string(server.max_connections) +
                 ",\"max_connections\":" + std::to_string(available));
    server.max_connections = available;
  } else {
    LogEvent("info", "descriptors",
             fields + ",\"max_connections\":" + std::to_string(server.max_connections));
  }
}

// Waits a second for SIGINT or SIGTERM (blocked in every thread): true when one came.
bool StopSignalWithin1s(const sigset_t& stop_signals) {
  timespec pause{1, 0};
  return sigtimedwait(&stop_signals, nullptr, &pause) > 0;
}

// A cluster's node that lacks events the log in etcd no longer holds starts from a peer's
// checkpoint, retrying while etcd or the peers cannot serve it. Answers the exit code when
// serve must not go on (a stop signal, a local disk error), nullopt otherwise.
std::optional<int> BootstrapClusterMember(const ServeConfig& config, const sigset_t& stop_signals) {
  if (config.etcd_endpoints.empty()) return std::nullopt;
  ClusterBootstrapOptions options;
  options.etcd_endpoints = config.etcd_endpoints;
  options.node_id = config.node_id;
  options.data_dir = config.data_dir;
  options.token = config.follow_token;
  options.log = [](std::string_view level, std::string_view message, const std::string& detail) {
    LogEvent(level, message, JsonMember("detail", detail));
  };
  for (;;) {
    auto done = BootstrapClusterNode(options);
    if (done.ok()) return std::nullopt;
    if (done.status().code() != ErrorCode::kUnavailable) {
      LogEvent("error", "cannot start from a peer's checkpoint",
               JsonMember("error", done.status().detail()));
      return 1;
    }
    LogEvent("warn", "cannot reach the cluster to check this node's log; retrying in 1 s",
             JsonMember("error", done.status().detail()));
    if (StopSignalWithin1s(stop_signals)) {
      LogEvent("info", "stopped before joining the cluster", "");
      return 0;
    }
  }
}

// A follower whose data directory holds no log yet fills it from the leader's checkpoint,
// retrying while the leader cannot be reached. Answers the exit code when serve must not go
// on (a stop signal, a refusal), nullopt otherwise.
std::optional<int> BootstrapFollower(const ServeConfig& config, const sigset_t& stop_signals) {
  if (config.follow_url.empty() || !config.bootstrap_from_checkpoint ||
      !NeedsBootstrap(config.data_dir)) {
    return std::nullopt;
  }
  for (;;) {
    LogEvent("info", "bootstrapping from the leader's checkpoint",
             JsonMember("leader", config.follow_url));
    auto began = std::chrono::steady_clock::now();
    auto fetched = BootstrapReplica(config.follow_url, config.follow_token, config.data_dir);
    if (fetched.ok()) {
      std::chrono::duration<double> took = std::chrono::steady_clock::now() - began;
      LogEvent("info", "bootstrapped from the leader's checkpoint",
               "\"bytes\":" + std::to_string(fetched->bytes) +
                   ",\"files\":" + std::to_string(fetched->files) +
                   ",\"leader_sequence\":" + std::to_string(fetched->leader_sequence) + "," +
                   JsonMember("log_id", fetched->log_id) +
                   ",\"seconds\":" + std::to_string(took.count()));
      return std::nullopt;
    }
    const Status& status = fetched.status();
    if (status.code() == ErrorCode::kRouteNotFound) {
      LogEvent("warn",
               "the leader sends no checkpoint (an older version): following its whole log "
               "from the first event",
               JsonMember("error", status.detail()));
      return std::nullopt;
    }
    if (status.code() != ErrorCode::kUnavailable) {
      LogEvent("error", "cannot bootstrap from the leader", JsonMember("error", status.detail()));
      return 1;
    }
    LogEvent("warn", "cannot bootstrap from the leader yet; retrying in 1 s",
             JsonMember("error", status.detail()));
    if (StopSignalWithin1s(stop_signals)) {
      LogEvent("info", "stopped before the bootstrap completed", "");
      return 0;
    }
  }
}

}  // namespace

int RunServe(const std::vector<std::string>& args) {
  auto config = ParseServeConfig(args, &GetEnvironment);
  if (!config.ok()) {
    std::fprintf(stderr, "flagledger serve: %s\n", config.status().detail().c_str());
    return 2;
  }
  if (config->show_help) {
    std::fputs(kServeHelp, stdout);
    return 0;
  }

  // Every thread started from here on inherits the blocked signals; this thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  EventLogOptions log_options;
  log_options.sync_writes = config->sync_writes;
  log_options.block_cache_bytes = static_cast<std::size_t>(config->cache_mb) << 20;
  log_options.on_upgrade = [](const std::string& step) {
    LogEvent("info", "upgraded the event log", JsonMember("step", step));
  };
  // The log holds token hashes and every change: only the server's user may read it.
  std::error_code ignored;
  std::filesystem::create_directories(config->data_dir, ignored);
  ::chmod(config->data_dir.c_str(), 0700);
  if (auto stop = BootstrapFollower(*config, stop_signals)) return *stop;
  if (auto stop = BootstrapClusterMember(*config, stop_signals)) return *stop;
  // A cluster's node: its log's batches go to etcd first (events/etcd_log.h), and the node
  // (created below, once the store exists) learns from the log when it is deposed.
  const bool cluster = !config->etcd_endpoints.empty();
  std::optional<ClusterNode> node;
  std::unique_ptr<EtcdLog> etcd_log;
  if (cluster) {
    EtcdLogOptions etcd_options;
    etcd_options.endpoints = config->etcd_endpoints;
    etcd_log = std::make_unique<EtcdLog>(std::move(etcd_options), [&node](const std::string& why) {
      if (node) node->Deposed(why);
    });
    log_options.gate = etcd_log.get();
  }
  auto log = EventLog::Open(config->data_dir, log_options);
  if (!log.ok()) {
    LogEvent("error", "cannot open the event log", JsonMember("error", log.status().detail()));
    return 1;
  }
  if (StorageHealth health = (*log)->health(); !health.writable) {
    LogEvent("error", "storage refuses writes: serving reads from the log read-only",
             JsonMember("error", health.problem));
  }
  SystemClock clock;
  FlagStoreOptions store_options;
  SnapshotStore snapshots(config->data_dir);
  store_options.snapshots = &snapshots;
  store_options.snapshot_every = config->snapshot_every;
  store_options.commit_delay = std::chrono::microseconds(config->commit_delay_us);
  store_options.on_problem = [](std::string_view what, const Status& status) {
    LogEvent(status.code() == ErrorCode::kUnavailable ? "error" : "warn", what,
             JsonMember("error", status.detail()));
  };
  ChangeNotifier notifier;  // wakes the change streams
  store_options.on_published = [&notifier] { notifier.Notify(); };
  const bool follower = !config->follow_url.empty();
  store_options.follower = follower || cluster;
  FlagStore store(**log, clock, std::move(store_options));
  // A follower that cannot go on (another log, a batch that does not follow) stops the
  // process: a replica that silently serves a diverged history is worse than none.
  std::atomic<int> exit_code{0};
  std::optional<ReplicaFollower> replica;
  if (follower) {
    FollowerOptions follow;
    follow.leader_url = config->follow_url;
    follow.token = config->follow_token;
    follow.max_lag = std::chrono::milliseconds(config->max_lag_ms);
    follow.on_stopped = [&exit_code](const std::string&) {
      exit_code.store(1);
      ::kill(::getpid(), SIGTERM);
    };
    replica.emplace(store, std::move(follow));
  }
  if (cluster) {
    ClusterOptions options;
    options.etcd_endpoints = config->etcd_endpoints;
    options.node_id = config->node_id;
    options.advertise_url = config->advertise_url;
    options.lease_ttl = std::chrono::seconds(config->lease_ttl_s);
    options.max_lag = std::chrono::milliseconds(config->max_lag_ms);
    options.window_events = config->cluster_window;
    options.log = [](std::string_view level, std::string_view message, const std::string& detail) {
      LogEvent(level, message, detail.empty() ? std::string() : JsonMember("detail", detail));
    };
    options.on_stopped = [&exit_code](const std::string&) {
      exit_code.store(1);
      ::kill(::getpid(), SIGTERM);
    };
    node.emplace(store, *etcd_log, std::move(options));
  }
  // `node` outlives the store and the log it drives: on every way out it stops first.
  struct StopNodeFirst {
    std::optional<ClusterNode>& node;
    ~StopNodeFirst() {
      if (node) node->Stop();
    }
  } stop_node_first{node};
  Metrics metrics;
  Api api(store, config->auth, &metrics, static_cast<std::size_t>(config->page_cache_mb) << 20,
          replica ? &*replica : nullptr, node ? &*node : nullptr);
  FitConnectionsToDescriptors(config->server, log_options);
  config->server.notifier = &notifier;
  config->server.metrics = &metrics;
  HttpServer server(config->server, api);
  Status listening = server.Listen();
  if (!listening.ok()) {
    LogEvent("error", "cannot listen", JsonMember("error", listening.detail()));
    return 1;
  }
  server.Start();
  LogEvent("info", "listening",
           JsonMember("address", config->server.address) + ",\"port\":" +
               std::to_string(server.port()) + "," + JsonMember("data_dir", config->data_dir) +
               "," + JsonMember("durability", config->sync_writes ? "fsync" : "async"));

  Status started = store.Start();
  if (!started.ok()) {
    LogEvent("error", "cannot rebuild the projection", JsonMember("error", started.detail()));
    api.BeginShutdown();
    server.Shutdown(std::chrono::seconds(1));
    return 1;
  }
  SpoolIngester token_spool(config->data_dir, store,
                            [](std::string_view what, const std::string& detail) {
                              LogEvent("warn", what, JsonMember("error", detail));
                            });
  // A follower's tokens are its leader's: they arrive with the leader's token events.
  if (!follower) token_spool.Start();
  if (replica) {
    replica->Start();
    LogEvent("info", "following",
             JsonMember("leader", config->follow_url) +
                 ",\"applied\":" + std::to_string(store.log().last_sequence()) +
                 ",\"max_lag_ms\":" + std::to_string(config->max_lag_ms));
  }
  if (node) {
    const std::string& host = config->server.address;
    node->Start("http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                std::to_string(server.port()));
    LogEvent("info", "joining the cluster",
             JsonMember("node_id", config->node_id) + "," +
                 JsonMember("advertise", node->advertise_url()) +
                 ",\"applied\":" + std::to_string(store.log().last_sequence()));
  }
  bool tokens_exist = !store.tokens()->empty();
  std::string_view auth = config->auth == AuthMode::kOff ? "off"
                          : config->auth == AuthMode::kOn || tokens_exist
                              ? "on"
                              : "open until the first token";
  if (config->auth == AuthMode::kOff) {
    LogEvent("warn",
             "authentication is off: anyone who reaches this address may read and change "
             "every flag",
             "");
  } else if (config->auth == AuthMode::kAuto && !tokens_exist) {
    LogEvent("warn",
             "no API token exists yet, so this loopback server runs without "
             "authentication until `flagledger token create` makes one",
             "");
  }
  // Last of the start-up lines: whoever waits for "ready" has seen the warnings too.
  LogEvent("info", "ready",
           "\"sequence\":" + std::to_string(store.snapshot()->sequence) + ",\"flags\":" +
               std::to_string(store.snapshot()->FlagCount()) + "," + JsonMember("auth", auth));

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  LogEvent("info", "shutting down",
           JsonMember("signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"));
  api.BeginShutdown();
  if (replica) replica->Stop();
  if (node) node->Stop();  // hands the writer's role over before the connections drain
  server.Shutdown();
  token_spool.Stop();
  store.Stop();
  WriterStats stats = store.stats();
  LogEvent("info", "stopped",
           "\"write_batches\":" + std::to_string(stats.batches) +
               ",\"write_commands\":" + std::to_string(stats.commands) +
               ",\"events_appended\":" + std::to_string(stats.events));
  return exit_code.load();
}

}  // namespace flagledger

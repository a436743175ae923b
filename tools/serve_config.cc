#include "tools/serve_config.h"

#include <charconv>

namespace flagledger {

const char kServeHelp[] =
    R"(Usage: flagledger serve [options]

Serves the flagledger REST API from the event log in a data directory.

Options (each also read from the environment variable in brackets; flags win):
  --data-dir DIR            event log directory, created if missing  [FLAGLEDGER_DATA_DIR]
                            (default ./data)
  --listen HOST:PORT        address to listen on; [::1]:PORT for IPv6, port 0 picks a free
                            port                                      [FLAGLEDGER_LISTEN]
                            (default 127.0.0.1:8080)
  --threads N               HTTP worker threads (default: hardware threads)
                                                                      [FLAGLEDGER_THREADS]
  --http-sched batch|normal Linux scheduling policy of the HTTP threads. batch (default):
                            SCHED_BATCH, a thread woken by a request does not preempt what
                            runs on its CPU, so where clients share and saturate the CPUs
                            requests are served in batches: more throughput, a somewhat
                            longer tail (bench/RESULTS.md). normal: SCHED_OTHER
                                                                      [FLAGLEDGER_HTTP_SCHED]
  --durability fsync|async  fsync: a write is synced to the WAL before it is acknowledged
                            (default); async: written, not synced     [FLAGLEDGER_DURABILITY]
  --commit-delay-us N       while writes arrive concurrently, hold a batch up to N
                            microseconds until as many writes as the previous batch held have
                            arrived, to share one sync: fewer syncs and more CPU left for
                            reads, at up to N us more write latency; a lone writer is never
                            held (default 1000; 0 turns it off)
                                                                      [FLAGLEDGER_COMMIT_DELAY_US]
  --access-log on|off       one JSON line per request on stderr (default on)
                                                                      [FLAGLEDGER_ACCESS_LOG]
  --cache-mb N              RocksDB block cache for the log, in MiB (default 256); size it to
                            the history point-in-time reads touch     [FLAGLEDGER_CACHE_MB]
  --page-cache-mb N         current list pages kept rendered with their organization's state,
                            at most one page each, in MiB in all (default 64; 0 turns it off)
                                                                      [FLAGLEDGER_PAGE_CACHE_MB]
  --snapshot-every N        write a projection snapshot every N events, so start-up replays
                            only the tail; 0 turns snapshots off (default 50000)
                                                                      [FLAGLEDGER_SNAPSHOT_EVERY]

Read replicas (see the README's "Scaling reads"):
  --follow URL              serve as a read replica of the leader at URL (http://HOST:PORT):
                            follow its log into this data directory and serve every read;
                            writes answer 503 read_only_replica          [FLAGLEDGER_FOLLOW]
  --follow-token TOKEN      bearer token for the leader's feed (an admin, auditor or replica
                            token); needed when the leader has tokens; a cluster's node
                            presents it for a peer's checkpoint       [FLAGLEDGER_FOLLOW_TOKEN]
  --max-lag-ms N            /readyz answers 503 while this follower is more than N ms behind
                            its leader or has not heard from it for N ms (default 1000)
                                                                      [FLAGLEDGER_MAX_LAG_MS]
  --bootstrap checkpoint|feed
                            how a follower whose data directory is empty starts: checkpoint
                            copies the leader's log and newest snapshot (one request), feed
                            replays the leader's whole log event by event (default
                            checkpoint)                               [FLAGLEDGER_BOOTSTRAP]

A cluster on etcd (see the README's "Running a cluster"):
  --cluster etcd=URL[,URL...]
                            a node of the cluster whose log and writer's election live in the
                            etcd members at these client URLs (http://HOST:PORT): one node
                            writes, the others follow and take over when it is lost
                                                                      [FLAGLEDGER_CLUSTER]
  --node-id ID              this node's name in the cluster (letters, digits, '.', '_', '-')
                                                                      [FLAGLEDGER_NODE_ID]
  --advertise URL           where clients reach this node (http://HOST:PORT; default: the
                            --listen address); followers name the writer's in
                            Flagledger-Leader                         [FLAGLEDGER_ADVERTISE]
  --lease-ttl N             seconds a writer that stops renewing its lease keeps its role
                            (default 3)                               [FLAGLEDGER_LEASE_TTL]
  --cluster-window N        the writer trims the log in etcd below what every live node has
                            applied, keeping at least the newest N events (default 10000); a
                            node further behind starts from a peer's checkpoint (--follow-token
                            authenticates it)                      [FLAGLEDGER_CLUSTER_WINDOW]

Security and limits (see the README's security section):
  --auth on|off             on: every API request needs a bearer token (`flagledger token`);
                            default: on, except on a loopback address while no token exists
                            yet (then open, with a warning)           [FLAGLEDGER_AUTH]
  --insecure                allow --auth off on a non-loopback address
  --max-connections N       open connections; at the limit the longest-idle one is closed
                            for a new one (default 1024)              [FLAGLEDGER_MAX_CONNECTIONS]
                            The soft descriptor limit is raised to the hard one at start;
                            N is lowered (with a warning) to what it leaves after storage.
  --max-header-bytes N      request line and headers (default 16384; over it the connection
                            is closed)                                [FLAGLEDGER_MAX_HEADER_BYTES]
  --max-body-bytes N        request body (default 65536; over it 413)
                                                                      [FLAGLEDGER_MAX_BODY_BYTES]
  --request-timeout S       seconds for a request's headers and body to arrive once it has
                            begun, and for its answer to be taken (default 10)
                                                                      [FLAGLEDGER_REQUEST_TIMEOUT]
  --idle-timeout S          seconds a connection may wait for its next request (default 60;
                            a new connection's first request gets --request-timeout)
                                                                      [FLAGLEDGER_IDLE_TIMEOUT]
  --stream-heartbeat S      seconds of silence after which a change stream (SSE) gets a
                            comment line (default 15)                 [FLAGLEDGER_STREAM_HEARTBEAT]
  --help                    this text

Stops cleanly on SIGINT or SIGTERM: no new connections, requests in flight finish, the log
is closed.
)";

namespace {

Status Bad(const std::string& setting, const std::string& message) {
  return Status(ErrorCode::kValidationFailed, setting + ": " + message);
}

bool ParseCount(const std::string& value, std::uint64_t& out) {
  auto [last, error] = std::from_chars(value.data(), value.data() + value.size(), out);
  return !value.empty() && error == std::errc() && last == value.data() + value.size();
}

// Parses a count from `low` to `high` into `out`.
Status ApplyBounded(const std::string& setting, const std::string& value, std::uint64_t low,
                    std::uint64_t high, const char* unit, std::uint64_t& out) {
  std::uint64_t parsed = 0;
  if (!ParseCount(value, parsed) || parsed < low || parsed > high) {
    return Bad(setting, "must be a number of " + std::string(unit) + " from " +
                            std::to_string(low) + " to " + std::to_string(high));
  }
  out = parsed;
  return Status::Ok();
}

Status ApplyLimit(ServeConfig& config, const std::string& name, const std::string& value) {
  ServerOptions& server = config.server;
  std::uint64_t number = 0;
  Status parsed;
  if (name == "max-connections") {
    parsed = ApplyBounded("--" + name, value, 1, 1'000'000, "connections", number);
    server.max_connections = number;
  } else if (name == "max-header-bytes") {
    parsed = ApplyBounded("--" + name, value, 1024, 1 << 20, "bytes", number);
    server.header_limit = number;
  } else if (name == "max-body-bytes") {
    parsed = ApplyBounded("--" + name, value, 1024, 64 << 20, "bytes", number);
    server.body_limit = number;
  } else if (name == "request-timeout") {
    parsed = ApplyBounded("--" + name, value, 1, 3600, "seconds", number);
    server.request_timeout = std::chrono::seconds(number);
  } else if (name == "stream-heartbeat") {
    parsed = ApplyBounded("--" + name, value, 1, 3600, "seconds", number);
    server.heartbeat_interval = std::chrono::seconds(number);
  } else {
    parsed = ApplyBounded("--" + name, value, 1, 86400, "seconds", number);
    server.idle_timeout = std::chrono::seconds(number);
  }
  return parsed;
}

Status ApplySetting(ServeConfig& config, const std::string& name, const std::string& value,
                    bool& auth_given) {
  if (name == "data-dir") {
    if (value.empty()) return Bad("--data-dir", "must not be empty");
    config.data_dir = value;
  } else if (name == "listen") {
    std::size_t colon = value.rfind(':');
    if (colon == std::string::npos || colon == 0) return Bad("--listen", "must be HOST:PORT");
    std::string host = value.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    unsigned port = 0;
    const char* begin = value.data() + colon + 1;
    const char* end = value.data() + value.size();
    auto [last, error] = std::from_chars(begin, end, port);
    if (begin == end || error != std::errc() || last != end || port > 65535) {
      return Bad("--listen", "port must be a number from 0 to 65535");
    }
    config.server.address = host;
    config.server.port = static_cast<std::uint16_t>(port);
  } else if (name == "threads") {
    std::uint64_t threads = 0;
    Status parsed = ApplyBounded("--threads", value, 1, 256, "threads", threads);
    if (!parsed.ok()) return parsed;
    config.server.threads = static_cast<int>(threads);
  } else if (name == "http-sched") {
    if (value != "batch" && value != "normal")
      return Bad("--http-sched", "must be batch or normal");
    config.server.batch_scheduling = value == "batch";
  } else if (name == "durability") {
    if (value != "fsync" && value != "async") return Bad("--durability", "must be fsync or async");
    config.sync_writes = value == "fsync";
  } else if (name == "commit-delay-us") {
    return ApplyBounded("--commit-delay-us", value, 0, 100'000, "microseconds",
                        config.commit_delay_us);
  } else if (name == "snapshot-every") {
    if (!ParseCount(value, config.snapshot_every)) {
      return Bad("--snapshot-every", "must be a number of events (0 turns snapshots off)");
    }
  } else if (name == "cache-mb") {
    return ApplyBounded("--cache-mb", value, 8, 1 << 20, "MiB", config.cache_mb);
  } else if (name == "page-cache-mb") {
    return ApplyBounded("--page-cache-mb", value, 0, 1 << 20, "MiB", config.page_cache_mb);
  } else if (name == "follow") {
    if (!value.starts_with("http://")) return Bad("--follow", "must be http://HOST:PORT");
    config.follow_url = value;
  } else if (name == "follow-token") {
    config.follow_token = value;
  } else if (name == "bootstrap") {
    if (value != "checkpoint" && value != "feed") {
      return Bad("--bootstrap", "must be checkpoint or feed");
    }
    config.bootstrap_from_checkpoint = value == "checkpoint";
  } else if (name == "cluster") {
    auto endpoints = ParseClusterSetting(value);
    if (!endpoints.ok()) return endpoints.status();
    config.etcd_endpoints = std::move(*endpoints);
  } else if (name == "node-id") {
    if (value.empty() || value.size() > 64 ||
        value.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
            std::string::npos) {
      return Bad("--node-id", "must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    config.node_id = value;
  } else if (name == "advertise") {
    if (!value.starts_with("http://") || value.size() <= 7 ||
        value.find(' ') != std::string::npos) {
      return Bad("--advertise", "must be http://HOST:PORT");
    }
    config.advertise_url = value;
  } else if (name == "cluster-window") {
    return ApplyBounded("--cluster-window", value, 1, 100'000'000, "events", config.cluster_window);
  } else if (name == "lease-ttl") {
    return ApplyBounded("--lease-ttl", value, 1, 60, "seconds", config.lease_ttl_s);
  } else if (name == "max-lag-ms") {
    return ApplyBounded("--max-lag-ms", value, 10, 3'600'000, "milliseconds", config.max_lag_ms);
  } else if (name == "access-log") {
    if (value != "on" && value != "off") return Bad("--access-log", "must be on or off");
    config.server.access_log = value == "on";
  } else if (name == "auth") {
    if (value != "on" && value != "off") return Bad("--auth", "must be on or off");
    config.auth = value == "on" ? AuthMode::kOn : AuthMode::kOff;
    auth_given = true;
  } else if (name == "max-connections" || name == "max-header-bytes" || name == "max-body-bytes" ||
             name == "request-timeout" || name == "idle-timeout" || name == "stream-heartbeat") {
    return ApplyLimit(config, name, value);
  } else {
    return Bad("--" + name, "unknown option (see --help)");
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> ParseClusterSetting(std::string_view value) {
  constexpr std::string_view kEtcd = "etcd=";
  if (!value.starts_with(kEtcd)) return Bad("--cluster", "must be etcd=URL[,URL...]");
  std::vector<std::string> endpoints;
  std::string_view rest = value.substr(kEtcd.size());
  while (!rest.empty()) {
    std::string_view url = rest.substr(0, rest.find(','));
    rest.remove_prefix(std::min(rest.size(), url.size() + 1));
    if (!url.starts_with("http://") || url.size() <= 7) {
      return Bad("--cluster", "each etcd URL must be http://HOST:PORT");
    }
    endpoints.emplace_back(url);
  }
  if (endpoints.empty()) return Bad("--cluster", "must name at least one etcd URL");
  return endpoints;
}

bool IsLoopbackAddress(const std::string& address) {
  return address.starts_with("127.") || address == "::1" || address == "localhost";
}

Result<ServeConfig> ParseServeConfig(const std::vector<std::string>& args,
                                     const char* (*getenv)(const char*)) {
  ServeConfig config;
  bool auth_given = false;
  static const std::pair<const char*, const char*> kEnvironment[] = {
      {"FLAGLEDGER_DATA_DIR", "data-dir"},
      {"FLAGLEDGER_LISTEN", "listen"},
      {"FLAGLEDGER_THREADS", "threads"},
      {"FLAGLEDGER_DURABILITY", "durability"},
      {"FLAGLEDGER_HTTP_SCHED", "http-sched"},
      {"FLAGLEDGER_COMMIT_DELAY_US", "commit-delay-us"},
      {"FLAGLEDGER_ACCESS_LOG", "access-log"},
      {"FLAGLEDGER_SNAPSHOT_EVERY", "snapshot-every"},
      {"FLAGLEDGER_CACHE_MB", "cache-mb"},
      {"FLAGLEDGER_AUTH", "auth"},
      {"FLAGLEDGER_PAGE_CACHE_MB", "page-cache-mb"},
      {"FLAGLEDGER_MAX_CONNECTIONS", "max-connections"},
      {"FLAGLEDGER_MAX_HEADER_BYTES", "max-header-bytes"},
      {"FLAGLEDGER_MAX_BODY_BYTES", "max-body-bytes"},
      {"FLAGLEDGER_REQUEST_TIMEOUT", "request-timeout"},
      {"FLAGLEDGER_IDLE_TIMEOUT", "idle-timeout"},
      {"FLAGLEDGER_STREAM_HEARTBEAT", "stream-heartbeat"},
      {"FLAGLEDGER_FOLLOW", "follow"},
      {"FLAGLEDGER_FOLLOW_TOKEN", "follow-token"},
      {"FLAGLEDGER_MAX_LAG_MS", "max-lag-ms"},
      {"FLAGLEDGER_BOOTSTRAP", "bootstrap"},
      {"FLAGLEDGER_CLUSTER", "cluster"},
      {"FLAGLEDGER_NODE_ID", "node-id"},
      {"FLAGLEDGER_ADVERTISE", "advertise"},
      {"FLAGLEDGER_LEASE_TTL", "lease-ttl"},
      {"FLAGLEDGER_CLUSTER_WINDOW", "cluster-window"},
  };
  for (auto [variable, name] : kEnvironment) {
    const char* value = getenv(variable);
    if (value == nullptr) continue;
    Status applied = ApplySetting(config, name, value, auth_given);
    if (!applied.ok()) return Bad(variable, applied.detail());
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      config.show_help = true;
      continue;
    }
    if (arg == "--insecure") {
      config.insecure = true;
      continue;
    }
    if (!arg.starts_with("--")) return Bad(arg, "unexpected argument (see --help)");
    std::string name = arg.substr(2), value;
    if (std::size_t equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name.resize(equals);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Bad(arg, "needs a value");
    }
    Status applied = ApplySetting(config, name, value, auth_given);
    if (!applied.ok()) return applied;
  }
  if (!config.etcd_endpoints.empty()) {
    if (!config.follow_url.empty()) {
      return Bad("--cluster", "a cluster's node follows its cluster, not --follow");
    }
    if (config.node_id.empty()) return Bad("--cluster", "needs --node-id");
    const std::string& address = config.server.address;
    if (config.advertise_url.empty() && (address == "0.0.0.0" || address == "::")) {
      return Bad("--cluster", "needs --advertise when listening on every address");
    }
  }
  bool loopback = IsLoopbackAddress(config.server.address);
  if (!auth_given) config.auth = loopback ? AuthMode::kAuto : AuthMode::kOn;
  if (config.auth == AuthMode::kOff && !loopback && !config.insecure) {
    return Bad("--auth off", "refusing to serve " + config.server.address +
                                 " (not loopback) without authentication; use --auth on, or "
                                 "add --insecure if the network is trusted");
  }
  return config;
}

}  // namespace flagledger

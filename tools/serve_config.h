// Settings of `flagledger serve`, from flags and FLAGLEDGER_* environment variables.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "http/authorization.h"
#include "http/list_page_cache.h"
#include "http/server.h"

namespace flagledger {

struct ServeConfig {
  std::string data_dir = "./data";
  ServerOptions server;                   // address, port, threads, access log
  bool sync_writes = true;                // --durability fsync (true) or async
  std::uint64_t commit_delay_us = 1000;   // group commit delay under concurrent writes
  std::uint64_t snapshot_every = 50'000;  // events between projection snapshots; 0: none
  std::uint64_t cache_mb = 256;           // RocksDB block cache
  std::uint64_t page_cache_mb = ListPageCache::kDefaultBudgetBytes >> 20;  // rendered list pages
  // Resolved by ParseServeConfig: --auth, or kAuto on loopback and kOn elsewhere.
  AuthMode auth = AuthMode::kAuto;
  bool insecure = false;  // allows --auth off on a non-loopback address
  // A read replica of the leader at this URL (http://HOST:PORT); empty: a leader.
  std::string follow_url;
  std::string follow_token;         // the bearer token the follower presents to its leader
  std::uint64_t max_lag_ms = 1000;  // a follower further behind is not ready
  // How a follower with an empty data directory starts: from the leader's checkpoint (true),
  // or by replaying the leader's whole log through the feed.
  bool bootstrap_from_checkpoint = true;
  // A node of a cluster on etcd (--cluster etcd=URL,...): its members' client URLs; empty:
  // no cluster. Then node_id is required, and advertise_url unless the server listens on one
  // address (the default then).
  std::vector<std::string> etcd_endpoints;
  std::string node_id;
  std::string advertise_url;              // http://HOST:PORT where clients reach this node
  std::uint64_t lease_ttl_s = 3;          // the writer's lease in etcd
  std::uint64_t cluster_window = 10'000;  // newest events always kept in etcd
  bool show_help = false;
};

// --cluster's value, "etcd=URL[,URL...]": the etcd members' client URLs (kValidationFailed
// naming --cluster otherwise).
Result<std::vector<std::string>> ParseClusterSetting(std::string_view value);

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackAddress(const std::string& address);

// Reads the environment first, then `args` (flags win). kValidationFailed names the bad
// setting, or refuses --auth off on a non-loopback address without --insecure. `getenv` is
// injectable for tests.
Result<ServeConfig> ParseServeConfig(const std::vector<std::string>& args,
                                     const char* (*getenv)(const char*));

extern const char kServeHelp[];

}  // namespace flagledger

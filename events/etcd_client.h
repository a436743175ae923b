// A client of etcd's v3 JSON gateway (etcd 3.4: /v3/kv/*, /v3/lease/*, /v3/election/*,
// /v3/watch, /v3/maintenance/status), spoken over HTTP/1.1 with Beast: the cluster's
// consensus comes from etcd, and this is all flagledger needs of it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace flagledger {

struct EtcdKeyValue {
  std::string key;
  std::string value;
  std::int64_t create_revision = 0;
  std::int64_t mod_revision = 0;
  std::int64_t version = 0;
  std::int64_t lease = 0;
};

struct EtcdRangeResult {
  std::int64_t revision = 0;  // the store's revision the range was read at
  std::vector<EtcdKeyValue> kvs;
  bool more = false;  // the limit cut the range short
};

// One compare of a transaction; always EQUAL.
struct EtcdCompare {
  enum class Target { kCreateRevision, kModRevision, kValue };
  std::string key;
  Target target = Target::kModRevision;
  std::int64_t revision = 0;  // for the revision targets (0: the key does not exist)
  std::string value;          // for kValue
};

struct EtcdPut {
  std::string key;
  std::string value;
  std::int64_t lease = 0;  // 0: none
};

// If every compare holds, the puts are applied, all at one new revision; otherwise the keys of
// `failure_gets` are read (each a single key).
struct EtcdTxn {
  std::vector<EtcdCompare> compare;
  std::vector<EtcdPut> success_puts;
  std::vector<std::string> failure_gets;
};

struct EtcdTxnResult {
  bool succeeded = false;
  std::int64_t revision = 0;  // the store's revision after the transaction
  // failure_gets' values, in order (nullopt: no such key); empty when it succeeded.
  std::vector<std::optional<EtcdKeyValue>> failure_values;
};

struct EtcdLease {
  std::int64_t id = 0;
  std::int64_t ttl_seconds = 0;
};

// An election's leader key (etcd's election API: NAME/<lease id in hex>, under the lease).
struct EtcdLeaderKey {
  std::string name;
  std::string key;
  std::int64_t revision = 0;  // the key's create revision: fences the leader's writes
  std::int64_t lease = 0;
};

struct EtcdMemberStatus {
  std::string endpoint;
  std::uint64_t member_id = 0;
  std::uint64_t leader_id = 0;
  std::int64_t revision = 0;
  std::int64_t db_size = 0;
  std::int64_t db_size_in_use = 0;
  std::string version;
};

struct EtcdWatchEvent {
  bool deleted = false;
  EtcdKeyValue kv;
};

struct EtcdWatchResponse {
  std::int64_t revision = 0;
  bool created = false;
  bool canceled = false;
  std::int64_t compact_revision = 0;  // > 0: the start revision was compacted away
  std::vector<EtcdWatchEvent> events;
};

// Errors: kUnavailable when no member answered (or the request timed out: its outcome is
// then unknown), kNotFound-like answers of etcd (a lost lease) as kInvalidQuery with etcd's
// message, kInternal for an answer that does not parse.
// Not thread-safe: one client per thread. Requests go to the current endpoint; after a
// transport failure the next request goes to the next one, so a lost member is skipped.
class EtcdClient {
 public:
  // `endpoints`: http://HOST:PORT of each member. `timeout` bounds each request but the
  // blocking ones (Campaign, Watch), which `cancel` (when given) ends within ~100 ms.
  EtcdClient(std::vector<std::string> endpoints, std::chrono::milliseconds timeout,
             const std::atomic<bool>* cancel = nullptr);
  ~EtcdClient();
  EtcdClient(const EtcdClient&) = delete;
  EtcdClient& operator=(const EtcdClient&) = delete;

  // The keys in [key, range_end) (range_end empty: the key alone), at most `limit` (0: all).
  Result<EtcdRangeResult> Range(std::string_view key, std::string_view range_end = {},
                                std::int64_t limit = 0);
  Result<std::int64_t> Put(const EtcdPut& put);  // the new revision
  // Deletes [key, range_end); returns how many keys went.
  Result<std::int64_t> DeleteRange(std::string_view key, std::string_view range_end = {});
  Result<EtcdTxnResult> Txn(const EtcdTxn& txn);
  // Discards the store's history before `revision` (keys are kept).
  Status Compact(std::int64_t revision);

  Result<EtcdLease> LeaseGrant(std::int64_t ttl_seconds);
  // The lease's remaining TTL after renewing it; 0 when the lease is gone.
  Result<std::int64_t> LeaseKeepAlive(std::int64_t lease);
  Status LeaseRevoke(std::int64_t lease);

  // Blocks until this lease holds the election, at most 30 s (kUnavailable then, and when
  // cancelled: etcd withdraws the candidacy, and the caller campaigns again).
  Result<EtcdLeaderKey> Campaign(std::string_view name, std::int64_t lease, std::string_view value);
  // The current leader's key and value, or nullopt when nobody leads.
  Result<std::optional<EtcdKeyValue>> Leader(std::string_view name);
  Status Resign(const EtcdLeaderKey& leader);

  // Streams the changes to [key, range_end) from `start_revision` (0: from now), calling
  // `on_response` with each message until it returns false, the stream breaks, `cancel`, or
  // `idle` passes without a message (then OK: the caller re-reads what it watches).
  Status Watch(std::string_view key, std::string_view range_end, std::int64_t start_revision,
               std::chrono::milliseconds idle,
               const std::function<bool(const EtcdWatchResponse&)>& on_response);

  // The alarms raised in the cluster (NOSPACE: a member's database reached its quota, and
  // etcd refuses writes until it is compacted, defragmented and the alarm disarmed).
  struct Alarm {
    std::uint64_t member_id = 0;
    std::string alarm;
  };
  Result<std::vector<Alarm>> Alarms();

  // Every member's status (those that answer; at least one or kUnavailable).
  Result<std::vector<EtcdMemberStatus>> MemberStatuses();

  const std::string& endpoint() const;

 private:
  struct Connection;  // Beast's stream, parser and buffers (etcd_client.cc)

  // POSTs `body` (JSON) to `path` and returns the response body; a non-200 answer becomes an
  // error with etcd's message.
  Result<std::string> Call(std::string_view path, const std::string& body);
  // Call, with the answer parsed (the element lives until the client's next call).
  Result<simdjson::dom::element> CallJson(std::string_view path, const std::string& body);

  std::vector<std::string> endpoints_;
  std::chrono::milliseconds timeout_;
  const std::atomic<bool>* cancel_;
  std::size_t current_ = 0;
  std::unique_ptr<Connection> connection_;
};

}  // namespace flagledger

// The append-only event log and its indexes, stored in RocksDB.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "events/event.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace flagledger {

struct EventLogOptions {
  // true: every Append syncs the WAL before it returns (durability "fsync").
  // false: the WAL is written but not synced (durability "async").
  bool sync_writes = true;
};

// The data directory's event log. Thread-safety: Append has one caller at a time (the single
// writer, so that visibility order is sequence order); every other method is thread-safe.
class EventLog {
 public:
  // The on-disk schema this build reads and writes.
  static constexpr int kSchemaVersion = 1;

  // Opens or creates the log in `data_dir`. Fails with kUnavailable when RocksDB cannot open
  // it (for example another process holds it) and kInternal when it was written with an
  // unknown schema version; such a directory is never read.
  static Result<std::unique_ptr<EventLog>> Open(const std::string& data_dir,
                                                const EventLogOptions& options);
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Assigns each event the next global sequence and its key's next version, in order, then
  // writes the events and all their index entries in one atomic WriteBatch.
  // REQUIRES: one caller at a time; recorded_at does not decrease along `events` and is
  // >= last_recorded_at().
  // On failure (kUnavailable) nothing was written and the next Append reuses the sequences.
  Status Append(std::vector<Event>& events);

  // The newest sequence written (0 for an empty log).
  std::uint64_t last_sequence() const { return last_sequence_.load(std::memory_order_acquire); }
  // recorded_at of the newest event (epoch for an empty log).
  Timestamp last_recorded_at() const {
    return Timestamp::FromMicros(last_recorded_at_.load(std::memory_order_acquire));
  }

  // Calls `visit(sequence, event_json)` for each event after `after_sequence`, ascending,
  // until `visit` returns false. Returns kUnavailable on a storage error.
  Status Scan(std::uint64_t after_sequence,
              const std::function<bool(std::uint64_t, std::string_view)>& visit) const;

 private:
  EventLog() = default;
  Status LoadTail();
  Result<std::uint64_t> LastVersionOf(std::string_view organization_id,
                                      std::string_view flag_key) const;

  EventLogOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  // Owned handles, destroyed before db_ (see the destructor).
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* events_ = nullptr;
  rocksdb::ColumnFamilyHandle* flag_events_ = nullptr;
  rocksdb::ColumnFamilyHandle* org_events_ = nullptr;
  rocksdb::ColumnFamilyHandle* time_index_ = nullptr;
  std::atomic<std::uint64_t> last_sequence_{0};
  std::atomic<std::int64_t> last_recorded_at_{0};
};

}  // namespace flagledger

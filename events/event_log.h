// The append-only event log and its indexes, stored in RocksDB under DATA_DIR/log.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/thread_annotations.h"
#include "events/batch_gate.h"
#include "events/column_family.h"
#include "events/event.h"
#include "events/event_chain.h"
#include "events/event_filter.h"
#include "events/idempotency_record.h"
#include "events/log_backup.h"
#include "events/org_checkpoint.h"
#include "events/recent_batches.h"
#include "events/recent_versions.h"
#include "events/replicated_batch.h"
#include "events/storage_health.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Env;
class Status;
class WriteBatch;
}  // namespace rocksdb

namespace flagledger {

struct EventLogOptions {
  // true: every Append syncs the WAL before it returns (durability "fsync").
  // false: the WAL is written but not synced (durability "async").
  bool sync_writes = true;
  // Open as a RocksDB secondary instance: read-only, allowed while a server owns the
  // directory; it sees the events written up to its opening. Append always fails.
  bool secondary = false;
  // RocksDB block cache shared by the log's column families. Point-in-time reads over a long
  // history are fastest when it holds the history's working set (bench/RESULTS.md).
  std::size_t block_cache_bytes = std::size_t{256} << 20;
  // Bound on the write-ahead log kept on disk: past it, RocksDB flushes the column families
  // still holding the oldest WAL file, and the file goes. Opening the log replays the live WAL,
  // so this bounds how long a restart takes (bench/RESULTS.md, "Restart time"). RocksDB's own
  // default, 4x the families' memtable budget, is far larger with the log's seven families.
  std::uint64_t max_wal_bytes = std::uint64_t{64} << 20;
  // The writer remembers the last version of the flag streams it read or wrote lately, so that
  // a flag written again needs no seek (events/recent_versions.h): at least this many distinct
  // streams are remembered, at most twice as many (~100 bytes each). Must be > 0.
  std::size_t recent_versions = 32768;
  // The newest batches are kept in memory as stored, up to this many bytes of events, for the
  // replication feeds of followers that keep up (events/recent_batches.h); 0: none.
  std::size_t recent_batch_bytes = std::size_t{8} << 20;
  // Table files RocksDB keeps open at most (a primary's; a secondary keeps all open, as RocksDB
  // requires). Bounds the descriptors the log takes beside the server's connections.
  int max_open_files = 256;
  // While storage fails, the writer tries to recover at most this often (a try may reopen the
  // database, replaying its WAL).
  std::chrono::milliseconds recovery_interval{1000};
  // Told of each schema upgrade step applied at open (one line each). May be empty.
  std::function<void(const std::string&)> on_upgrade;
  // Asked before each batch of the log's own writer is written (a cluster's writer commits it
  // to the cluster there); null: every batch is written. Must outlive the log.
  BatchGate* gate = nullptr;
  // The RocksDB environment; null for the default. A seam for fault-injection tests
  // (rocksdb::NewCompositeEnv over a FileSystemWrapper). Must outlive the log.
  rocksdb::Env* env = nullptr;
};

// A window of the log: sequences in (after, before), in ascending or descending order, at most
// `limit` events.
struct EventRange {
  static constexpr std::uint64_t kEnd = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t after = 0;
  std::uint64_t before = kEnd;
  bool descending = false;
  std::size_t limit = std::numeric_limits<std::size_t>::max();
};

// Receives (sequence, stored event JSON); returns false to stop early. Runs while the log is
// held for reading: it must not call back into the log.
using EventVisitor = std::function<bool(std::uint64_t, std::string_view)>;

// The data directory's event log. Thread-safety: the writer's methods (Append, EnsureWritable,
// LastVersion, DeleteIdempotencyRecordsBefore) have one caller at a time, the single writer, so
// that visibility order is sequence order; every other method is thread-safe and may run beside
// them.
// Storage errors are kUnavailable; damaged data is kInternal. Reads never see past
// last_sequence(): an event is readable once its Append has returned OK.
//
// Storage faults (a full or read-only file system, an I/O error) never end the process: the
// failed Append answers kUnavailable, and while storage stays broken the log serves reads from
// a read-only instance and the writer retries now and then (EnsureWritable).
class EventLog {
 public:
  // The on-disk schema this build writes, and the oldest it reads (older ones are upgraded at
  // a writable open; events/log_migrations.h lists them).
  static constexpr int kSchemaVersion = 5;
  static constexpr int kOldestReadableSchema = 1;

  // Opens or creates the log in DATA_DIR/log. Fails with kUnavailable when RocksDB cannot open
  // it (for example another server holds it) and kInternal when it was written with a newer
  // schema version or its write-ahead log is damaged before its last record; such a directory
  // is never read. A writable open of an older schema upgrades it first, step by step
  // (events/log_migrations.h), telling options.on_upgrade of each step. When storage refuses
  // writes (a full or read-only file system) an existing log opens read-only instead, without
  // upgrading: health() says so and Append answers kUnavailable until storage recovers.
  static Result<std::unique_ptr<EventLog>> Open(const std::string& data_dir,
                                                const EventLogOptions& options);
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  const std::string& data_dir() const { return data_dir_; }
  // The id naming this log's history (32 hex digits), given when the log was created or
  // upgraded to schema 2; empty for an older log opened read-only.
  std::string log_id() const EXCLUDES(log_id_mutex_) {
    MutexLock lock(log_id_mutex_);
    return log_id_;
  }
  // Makes this log's id `log_id` (a follower's empty log takes its leader's): kInternal when
  // the log already holds events. Writer only, before any append.
  Status AdoptLogId(const std::string& log_id);

  // Assigns each event the next global sequence and its key's next version, in order, then
  // writes the events, all their index entries and `records` in one atomic WriteBatch.
  // REQUIRES: one caller at a time; recorded_at does not decrease along `events` and is
  // >= last_recorded_at().
  // On failure (kUnavailable) nothing was written and the next Append reuses the sequences.
  // RocksDB refuses writes after a failed WAL write or sync, so the next Append first
  // recovers: it resumes (or reopens) the database and deletes whatever of the failed batch
  // reached the WAL, so that an answered failure never turns into an appended event. While
  // storage stays broken it keeps answering kUnavailable. (A crash between the failed sync
  // and that recovery can still leave the failed batch in the log: its outcome was unknown.)
  Status Append(std::vector<Event>& events, const std::vector<IdempotencyRecord>& records = {});
  // Appends a batch of the log this one follows (its leader's), exactly as stored there, with
  // its indexes, as Append would: kInternal, appending nothing, unless it starts at
  // last_sequence() + 1 and each event has the next sequence, the next version of its flag,
  // chains to the event before it and matches its own hash. Writer only.
  // Consecutive batches may go in one call: one WriteBatch (and sync) for all of them, each
  // recorded as its own batch. `decoded`, when given, receives the appended events (for the
  // caller to fold without decoding them again); it is left empty on failure.
  Status AppendReplicated(std::span<const ReplicatedBatch> batches,
                          std::vector<Event>* decoded = nullptr);
  Status AppendReplicated(const ReplicatedBatch& batch) {
    return AppendReplicated(std::span<const ReplicatedBatch>(&batch, 1));
  }
  // Whole batches as the writer appended them (a follower's unit of replication), from the one
  // that starts at `after` + 1, until they hold at least `max_events` events (at least one
  // batch); empty when the log ends at `after`. kInvalidQuery when no batch starts there.
  // The idempotency records are those written with each batch: for the newest batches, held in
  // memory (EventLogOptions::recent_batch_bytes), all of them; for older ones, those still
  // stored (expired ones are gone).
  Result<std::vector<ReplicatedBatch>> ReadBatches(std::uint64_t after,
                                                   std::size_t max_events) const
      EXCLUDES(db_mutex_);

  // After a failed Append or a read-only open: recovers as described above, or answers
  // kUnavailable while storage stays broken (tried again at most once per
  // options.recovery_interval). OK at once
  // otherwise. Writer only (like Append, which calls it too).
  Status EnsureWritable();

  // Backs the log up into `backup_dir` (created if missing) while it is in use, with
  // `metadata` stored beside the backup (see events/log_backup.h). Thread-safe; appends go on
  // meanwhile (the backup holds at least every event appended before the call).
  Result<LogBackupInfo> CreateBackup(const std::string& backup_dir,
                                     const std::string& metadata) const EXCLUDES(db_mutex_);

  // Writes an openable copy of the log (a DATA_DIR/log of its own) into `checkpoint_dir`, which
  // must not exist and should be on the log's file system (table files are then hard links).
  // Thread-safe; appends go on meanwhile, and the copy holds at least every event appended
  // before the call, with the indexes, checkpoints and batches that go with them.
  Status CreateCheckpoint(const std::string& checkpoint_dir) const EXCLUDES(db_mutex_);

  // RocksDB's memory now. Thread-safe.
  LogMemory memory() const EXCLUDES(db_mutex_);

  // Whether writes are possible, why not, and the storage errors seen. Thread-safe.
  StorageHealth health() const EXCLUDES(health_mutex_);

  // The last version of a flag key's stream (0 when it never had an event): remembered
  // (RecentVersions), or a seek, O(log n), whose answer is then remembered. Writer only.
  Result<std::uint64_t> LastVersion(std::string_view organization_id, std::string_view flag_key);

  // The record stored under `scope_key`, if any (however old).
  Result<std::optional<IdempotencyRecord>> FindIdempotencyRecord(std::string_view scope_key) const;
  // Deletes up to `limit` of the records created before `cutoff`, oldest first; returns how
  // many. Costs O(records deleted) through an index by creation time. Writer only.
  Result<std::size_t> DeleteIdempotencyRecordsBefore(Timestamp cutoff, std::size_t limit);

  // The newest sequence written (0 for an empty log).
  std::uint64_t last_sequence() const { return last_sequence_.load(std::memory_order_acquire); }
  // recorded_at of the newest event (epoch for an empty log).
  Timestamp last_recorded_at() const {
    return Timestamp::FromMicros(last_recorded_at_.load(std::memory_order_acquire));
  }

  // The events of `range`, from the whole log, one organization, or one flag key's stream.
  Status Scan(const EventRange& range, const EventVisitor& visit) const;
  Status ScanOrganization(std::string_view organization_id, const EventRange& range,
                          const EventVisitor& visit) const;
  Status ScanFlag(std::string_view organization_id, std::string_view flag_key,
                  const EventRange& range, const EventVisitor& visit) const;

  // The sequence of the newest event recorded at or before `time` (0: none). O(log n).
  Result<std::uint64_t> SequenceAt(Timestamp time) const;
  // The JSON of the flag's newest event with sequence <= `at`, or nullopt. O(log n).
  Result<std::optional<std::string>> FlagEventAt(std::string_view organization_id,
                                                 std::string_view flag_key, std::uint64_t at) const;
  // For every flag key after `after_key` the organization had an event for at or before the
  // largest of `points`, ascending bytewise: calls `visit(key, newest)` where newest[i] is the
  // sequence of the key's newest event at or before points[i] (0: none yet); the walk stops
  // when `visit` returns false. One iterator, two seeks per key and point:
  // O(keys x points x log n). `visit` runs under the log's read lock and must not call back
  // into the log.
  Status ForEachFlagStreamAt(
      std::string_view organization_id, std::span<const std::uint64_t> points,
      std::string_view after_key,
      const std::function<bool(std::string_view, std::span<const std::uint64_t>)>& visit) const
      EXCLUDES(db_mutex_);
  // The JSON of the events with these sequences, in the same order (RocksDB MultiGet: one pass
  // over the files for the whole batch). kInternal when one is missing.
  Result<std::vector<std::string>> EventsAt(std::span<const std::uint64_t> sequences) const
      EXCLUDES(db_mutex_);
  // The organization's flag keys live right after event `sequence`, each with the sequence of
  // its newest event then: the organization's newest checkpoint at or before `sequence` and
  // its events after that one, at most about max(256, live keys) of them (every event of the
  // organization in a log of an older schema opened read-only, which keeps no checkpoints).
  Result<OrgCheckpoint> LiveFlagsAt(std::string_view organization_id, std::uint64_t sequence) const
      EXCLUDES(db_mutex_);

  // Calls `visit` with every flag key the organization ever had an event for that starts with
  // `key_prefix`, ascending bytewise, until it returns false. O(keys x log n).
  Status ForEachFlagKey(std::string_view organization_id,
                        const std::function<bool(std::string_view)>& visit,
                        std::string_view key_prefix = {}) const;

  // The events of `range` that pass `filter`, in the range's order; `range.limit` counts the
  // events passed to `visit`. Walks the narrowest stream the filter names (a flag's, an
  // actor's or a type's in the audit index, merged when several are named, or the
  // organization's), so it costs the events of those streams within the range, never a scan
  // of the log. REQUIRES: filter.flag_key and flag_key_prefix only with an organization.
  Status Query(const EventFilter& filter, const EventRange& range, const EventVisitor& visit) const
      EXCLUDES(db_mutex_);
  // The range of sequences recorded in [from, to): (after, before) bounds for EventRange;
  // an absent end leaves that bound open (0 or kEnd). O(log n) each.
  Result<std::pair<std::uint64_t, std::uint64_t>> SequencesRecordedBetween(
      std::optional<Timestamp> from, std::optional<Timestamp> to) const;

  // Checks every table file's block checksums (all families), then the log against its
  // indexes: every sequence 1..last present and decodable with a matching sequence member,
  // recorded_at never decreasing, versions 1, 2, ... per key, and every index entry matching
  // an event (and none missing), every organization checkpoint equal to the organization's
  // live flags at its event, and the batch index partitioning 1..last. Calls `problem` for each
  // mismatch (at most `max_problems`); returns the number of events checked.
  Result<std::uint64_t> CheckIntegrity(const std::function<void(const std::string&)>& problem,
                                       std::size_t max_problems = 100) const;

  // The newest event's sequence and chain hash (events/event_chain.h); sequence 0 and
  // kGenesisHash on an empty log. Thread-safe.
  Result<ChainHead> Head() const EXCLUDES(db_mutex_);

  // Recomputes the hash chain over every event in order, naming each event whose hash does
  // not match its content, whose previous_hash is not its predecessor's hash, that says it is
  // another event, that is missing, or that is not chained at all. Calls `problem` for each
  // (at most `max_problems`); returns the head it reached. Thread-safe; reads the log as of
  // the call (events appended meanwhile are not checked).
  Result<ChainHead> CheckChain(const std::function<void(const std::string&)>& problem,
                               std::size_t max_problems = 100) const EXCLUDES(db_mutex_);

 private:
  // A RocksDB instance on DATA_DIR/log with its family handles (event_log.cc).
  struct Database;
  enum class OpenMode { kWritable, kReadOnly, kSecondary };

  EventLog();
  // Opens an instance; touches no member but the options and the health, so it runs without
  // db_mutex_. On failure `failure` (if given) receives the kind of storage error.
  Result<std::unique_ptr<Database>> OpenDatabase(OpenMode mode,
                                                 StorageErrorKind* failure = nullptr) const;
  // Makes `database` the log's instance; `database` then holds the previous one, to be closed
  // by its owner after the lock is released.
  void Install(Database& database) REQUIRES(db_mutex_);
  void CloseDatabase() REQUIRES(db_mutex_);
  // After a failed write or a read-only open: resume, or reopen (serving reads from a
  // read-only instance meanwhile), then delete the failed batch's keys.
  Status Recover() EXCLUDES(db_mutex_);
  Status UndoFailedWrite() EXCLUDES(db_mutex_);
  // Counts `status` by kind and makes it the reason writes are refused.
  void NoteStorageError(std::string_view what, const rocksdb::Status& status) const
      EXCLUDES(health_mutex_);
  void SetWritable(bool writable) EXCLUDES(health_mutex_);
  // `range` cut to what has been appended: (after, min(before, last_sequence() + 1)).
  EventRange Visible(const EventRange& range) const;
  // Opens the database and checks (or, in a new log, writes) the schema version.
  Status OpenAndCheckSchema() EXCLUDES(db_mutex_);
  // Refuses a newer schema; upgrades an older one when `writable`; loads the log id.
  Status CheckSchemaAndUpgrade(bool writable) REQUIRES(db_mutex_);
  Status LoadTail() EXCLUDES(db_mutex_);
  // Append and AppendReplicated: with no `replicated` batches, assigns sequences, versions and
  // the chain to `events`, encodes them and records them as one batch with `records`;
  // otherwise events[i] was decoded from stored[i], the batches' stored JSON in order, and is
  // checked and written as stored.
  Status WriteBatchOf(std::vector<Event>& events, const std::vector<IdempotencyRecord>& records,
                      std::span<const ReplicatedBatch> replicated,
                      std::span<const std::string_view> stored);
  // LastVersion of the stream whose flag_events keys start with `prefix` (FlagEventsPrefix).
  Result<std::uint64_t> StreamVersion(const std::string& prefix) REQUIRES_SHARED(db_mutex_);

  // Where the writer stands with an organization's checkpoints: its newest one, the interval
  // to the next (CheckpointInterval), and the organization's events since.
  struct CheckpointCursor {
    std::uint64_t sequence = 0;
    std::size_t interval = CheckpointInterval(0);
    std::size_t events_since = 0;
  };
  // The organization's newest stored checkpoint at or before `sequence` (sequence 0: none).
  Result<OrgCheckpoint> StoredCheckpointAt(std::string_view organization_id,
                                           std::uint64_t sequence) const REQUIRES_SHARED(db_mutex_);
  // Folds the organization's stored events in (checkpoint.sequence, through] into `checkpoint`.
  Status FoldStoredEvents(std::string_view organization_id, std::uint64_t through,
                          OrgCheckpoint& checkpoint) const REQUIRES_SHARED(db_mutex_);
  // Every stored checkpoint's position: sequence -> organizations. For CheckIntegrity.
  Status ListCheckpoints(std::map<std::uint64_t, std::vector<std::string>>& positions) const
      EXCLUDES(db_mutex_);
  Result<CheckpointCursor> LoadCheckpointCursor(std::string_view organization_id)
      REQUIRES_SHARED(db_mutex_);
  // Adds to `batch` a checkpoint for each organization of `events` (sequenced, not yet
  // written) that reaches its interval, at its last event there; `written` gets their keys and
  // `cursors` where each organization of the batch stands once it is written. Writer only.
  Status AddCheckpoints(const std::vector<Event>& events, rocksdb::WriteBatch& batch,
                        std::vector<std::pair<internal::ColumnFamily, std::string>>& written,
                        std::map<std::string, CheckpointCursor, std::less<>>& cursors)
      REQUIRES_SHARED(db_mutex_);

  std::string data_dir_;
  mutable Mutex log_id_mutex_;
  std::string log_id_ GUARDED_BY(log_id_mutex_);
  // The schema of the opened log (kSchemaVersion unless opened read-only before an upgrade);
  // set at Open. Below 3 there is no audit index, so queries filter without it.
  int schema_ = kSchemaVersion;
  std::string secondary_dir_;  // a secondary's own scratch directory, removed on close
  EventLogOptions options_;
  // Shared by every use of db_ and the handles; exclusive only while Recover reopens them.
  mutable SharedMutex db_mutex_;
  std::unique_ptr<rocksdb::DB> db_ GUARDED_BY(db_mutex_);
  // The column families' handles, indexed by internal::ColumnFamily; owned, destroyed before
  // db_ (see CloseDatabase).
  std::array<rocksdb::ColumnFamilyHandle*, internal::kColumnFamilyCount> families_
      GUARDED_BY(db_mutex_){};
  rocksdb::ColumnFamilyHandle* Family(internal::ColumnFamily family) const
      REQUIRES_SHARED(db_mutex_) {
    return families_[static_cast<std::size_t>(family)];
  }
  // Keys the last failed Append wrote; deleted by Recover. Writer only.
  std::vector<std::pair<internal::ColumnFamily, std::string>> failed_keys_;
  bool write_failed_ = false;
  // The installed instance is read-only (writes need Recover). Writer only, after Open.
  bool read_only_ = false;
  std::chrono::steady_clock::time_point next_recovery_{};  // writer only

  mutable Mutex health_mutex_;
  mutable StorageHealth health_ GUARDED_BY(health_mutex_);
  // The last version of flag streams the writer used lately (flag events prefix -> version):
  // learned from LastVersion's seeks and from successful Appends only (a failed Append's keys
  // are gone once Recover has run, and every read or write first ensures that). Writer only.
  RecentVersions recent_versions_{EventLogOptions{}.recent_versions};
  // Filled by the writer after each successful write; read by ReadBatches. Thread-safe.
  std::unique_ptr<RecentBatches> recent_batches_;
  std::atomic<std::uint64_t> last_sequence_{0};
  std::atomic<std::int64_t> last_recorded_at_{0};
  // The newest event's hash, which the next appended event chains to. Writer only (Append,
  // and LoadTail at open and in Recover).
  std::string chain_hash_{kGenesisHash};
  // The organizations the writer appended to since the log opened (loaded on their first
  // append). Writer only; changed only by successful Appends.
  std::map<std::string, CheckpointCursor, std::less<>> checkpoint_cursors_;
};

}  // namespace flagledger

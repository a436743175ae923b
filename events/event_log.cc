// Opening the log, appending to it, and following it as a secondary. The key layout is in
// log_keys.cc; the queries are in event_log_reads.cc.
#include "events/event_log.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <utility>

#include "events/event_codec.h"
#include "events/log_keys.h"
#include "events/log_migrations.h"
#include "events/log_status.h"
#include "events/rocksdb_info_log.h"

namespace flagledger {

using namespace internal;

namespace {

// A private directory for a secondary instance's own files, under $TMPDIR or /tmp.
std::string MakeSecondaryDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/flagledger-secondary-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  return mkdtemp(buffer.data()) ? std::string(buffer.data()) : std::string();
}

rocksdb::Status WriteSynced(rocksdb::DB& db, rocksdb::WriteBatch& batch) {
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  return db.Write(write_options, &batch);
}

// RocksDB's LOG grows to this, then starts afresh beside LOG.old.
constexpr std::uint64_t kInfoLogMaxBytes = std::uint64_t{16} << 20;

}  // namespace

// An open RocksDB instance; closing it destroys the family handles before the database.
struct EventLog::Database {
  std::unique_ptr<rocksdb::DB> db;
  std::array<rocksdb::ColumnFamilyHandle*, kColumnFamilyCount> families{};

  Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database() { Close(); }

  void Close() {
    if (!db) return;
    for (rocksdb::ColumnFamilyHandle*& handle : families) {
      if (handle) db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
      handle = nullptr;
    }
    // Close reports errors of the final flush; the WAL already holds every event.
    db->Close().PermitUncheckedError();
    db.reset();
  }
};

EventLog::EventLog() = default;

Result<std::unique_ptr<EventLog>> EventLog::Open(const std::string& data_dir,
                                                 const EventLogOptions& options) {
  std::unique_ptr<EventLog> log(new EventLog());
  log->data_dir_ = data_dir;
  log->options_ = options;
  log->recent_versions_ = RecentVersions(options.recent_versions);
  log->recent_batches_ = std::make_unique<RecentBatches>(options.recent_batch_bytes);
  if (options.secondary) {
    if (!std::filesystem::exists(data_dir + "/log/CURRENT")) {
      return Status(ErrorCode::kUnavailable, "no event log in " + data_dir);
    }
    log->secondary_dir_ = MakeSecondaryDir();
  }
  Status checked = log->OpenAndCheckSchema();
  if (!checked.ok()) return checked;
  Status tail = log->LoadTail();
  if (!tail.ok()) return tail;
  return log;
}

Status EventLog::OpenAndCheckSchema() {
  OpenMode mode = options_.secondary ? OpenMode::kSecondary : OpenMode::kWritable;
  StorageErrorKind failure = StorageErrorKind::kOther;
  auto opened = OpenDatabase(mode, &failure);
  if (!opened.ok() && mode == OpenMode::kWritable && IsStorageFault(failure)) {
    // Storage refuses writes (full, read-only): serve what is there, read-only, until it
    // recovers. A damaged log or one held by another server still refuses (not a fault).
    auto read_only = OpenDatabase(OpenMode::kReadOnly);
    if (read_only.ok()) {
      read_only_ = true;
      opened = std::move(read_only);
      SetWritable(false);
    }
  }
  if (!opened.ok()) return opened.status();
  WriterMutexLock exclusive(db_mutex_);
  Install(**opened);

  return CheckSchemaAndUpgrade(mode == OpenMode::kWritable && !read_only_);
}

Status EventLog::CheckSchemaAndUpgrade(bool writable) {
  rocksdb::ColumnFamilyHandle* meta = Family(ColumnFamily::kMeta);
  std::string stored_schema;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), meta, kSchemaKey, &stored_schema);
  if (status.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), Family(ColumnFamily::kEvents)));
    it->SeekToFirst();
    if (it->Valid()) {
      return Status(ErrorCode::kInternal,
                    "the event log in " + data_dir_ + " holds events but no schema version");
    }
    schema_ = kCurrentSchema;
    if (!writable) return Status::Ok();  // an empty log being created elsewhere
    rocksdb::WriteBatch batch;
    std::string log_id = NewLogId();
    status = batch.Put(meta, kSchemaKey, std::to_string(kCurrentSchema));
    if (status.ok()) status = batch.Put(meta, kLogIdKey, log_id);
    if (status.ok()) status = WriteSynced(*db_, batch);
    if (!status.ok()) return StorageError("cannot write the schema version", status);
    MutexLock lock(log_id_mutex_);
    log_id_ = std::move(log_id);
    return Status::Ok();
  }
  if (!status.ok()) return StorageError("cannot read the schema version", status);
  int schema = std::atoi(stored_schema.c_str());
  if (schema > kCurrentSchema || schema < kOldestReadableSchema ||
      std::to_string(schema) != stored_schema) {
    return Status(ErrorCode::kInternal,
                  "the event log in " + data_dir_ + " has schema version " + stored_schema +
                      ", written by a newer flagledger; this one reads schema versions " +
                      std::to_string(kOldestReadableSchema) + " to " +
                      std::to_string(kCurrentSchema) +
                      ": run the release that wrote it, or a newer one (README, Operations)");
  }
  for (; writable && schema < kCurrentSchema; ++schema) {
    const LogMigration& step = LogMigrations()[static_cast<std::size_t>(schema - 1)];
    rocksdb::WriteBatch batch;
    rocksdb::DB* db = db_.get();  // the lambda below runs under this function's lock
    auto write = [db](rocksdb::WriteBatch& part) {
      rocksdb::Status written = db->Write(rocksdb::WriteOptions(), &part);
      return written.ok() ? Status::Ok() : StorageError("cannot upgrade the event log", written);
    };
    Status migrated = step.migrate(*db_, families_, batch, write);
    if (!migrated.ok()) return migrated;
    status = batch.Put(meta, kSchemaKey, std::to_string(schema + 1));
    if (status.ok()) status = WriteSynced(*db_, batch);
    if (!status.ok()) return StorageError("cannot upgrade the event log", status);
    if (options_.on_upgrade) {
      options_.on_upgrade("upgraded the event log in " + data_dir_ + " from schema " +
                          std::to_string(schema) + " to " + std::to_string(schema + 1) + ": " +
                          std::string(step.what));
    }
  }
  schema_ = schema;
  std::string log_id;
  status = db_->Get(rocksdb::ReadOptions(), meta, kLogIdKey, &log_id);
  if (!status.ok() && !status.IsNotFound()) return StorageError("cannot read the log id", status);
  MutexLock lock(log_id_mutex_);
  log_id_ = log_id;
  return Status::Ok();
}

Result<std::unique_ptr<EventLog::Database>> EventLog::OpenDatabase(
    OpenMode mode, StorageErrorKind* failure) const {
  std::string path = data_dir_ + "/log";
  rocksdb::Options db_options;
  // Point-in-time reads are point lookups and short seeks spread over the whole history:
  // one block cache for all families, bloom filters for the lookups by sequence, and the
  // newest files' index and filter blocks kept in memory.
  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = rocksdb::NewLRUCache(options_.block_cache_bytes);
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table_options.cache_index_and_filter_blocks = true;
  table_options.pin_l0_filter_and_index_blocks_in_cache = true;
  if (options_.env) db_options.env = options_.env;
  db_options.max_total_wal_size = options_.max_wal_bytes;
  // Storage faults: see docs/operations.md ("What damage does").
  // A record that fails its checksum before the WAL's end refuses the open (it would drop
  // every acknowledged event after it); only a torn last record, never acknowledged, is
  // dropped.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // No space is reserved ahead for the WAL (RocksDB reserves up to 64 MiB per WAL file, which
  // filled small disks at start), and opening replays the WAL without writing tables, so a
  // restart needs only a new MANIFEST, OPTIONS file and empty WAL: well under 1 MiB.
  db_options.allow_fallocate = false;
  db_options.avoid_flush_during_recovery = true;
  if (mode != OpenMode::kSecondary) {
    db_options.info_log = std::make_shared<RocksDbInfoLog>(path + "/LOG", kInfoLogMaxBytes);
  }
  rocksdb::ColumnFamilyOptions family_options;
  family_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));
  // A read-only or secondary open of a log written before a family existed must leave that
  // family out (RocksDB refuses to open a missing one there); its handle stays null.
  std::vector<std::string> existing;
  if (mode != OpenMode::kWritable) {
    rocksdb::DB::ListColumnFamilies(db_options, path, &existing).PermitUncheckedError();
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  std::vector<std::size_t> positions;  // families[i] is ColumnFamily(positions[i])
  families.reserve(kColumnFamilyCount);
  for (std::size_t i = 0; i < kColumnFamilyCount; ++i) {
    std::string name(kColumnFamilyNames[i]);
    if (!existing.empty() && std::find(existing.begin(), existing.end(), name) == existing.end()) {
      continue;
    }
    families.emplace_back(std::move(name), family_options);
    positions.push_back(i);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status status;
  switch (mode) {
    case OpenMode::kSecondary:
      db_options.max_open_files = -1;  // required by secondary instances
      status = rocksdb::DB::OpenAsSecondary(db_options, path, secondary_dir_, families, &handles,
                                            &raw_db);
      break;
    case OpenMode::kReadOnly:
      db_options.max_open_files = options_.max_open_files;
      status = rocksdb::DB::OpenForReadOnly(db_options, path, families, &handles, &raw_db);
      break;
    case OpenMode::kWritable: {
      std::error_code ignored;
      std::filesystem::create_directories(path, ignored);
      db_options.max_open_files = options_.max_open_files;
      db_options.create_if_missing = true;
      db_options.create_missing_column_families = true;
      status = rocksdb::DB::Open(db_options, path, families, &handles, &raw_db);
      break;
    }
  }
  if (!status.ok()) {
    if (failure) *failure = ClassifyStorageError(status);
    if (mode != OpenMode::kSecondary) NoteStorageError("cannot open the event log", status);
    if (status.IsCorruption()) {
      return Status(ErrorCode::kInternal,
                    "the event log in " + data_dir_ +
                        " is damaged before its end, so events acknowledged after the damage "
                        "would be lost; refusing to open it (restore a backup, see the README's "
                        "Operations): " +
                        status.ToString());
    }
    return StorageError("cannot open the event log in " + data_dir_, status);
  }
  auto database = std::make_unique<Database>();
  database->db.reset(raw_db);
  for (std::size_t i = 0; i < handles.size(); ++i) database->families[positions[i]] = handles[i];
  return database;
}

void EventLog::Install(Database& database) {
  std::swap(db_, database.db);
  std::swap(families_, database.families);
}

void EventLog::CloseDatabase() {
  Database closing;
  Install(closing);
  closing.Close();
}

EventLog::~EventLog() {
  {
    WriterMutexLock exclusive(db_mutex_);
    CloseDatabase();
  }
  if (!secondary_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(secondary_dir_, ignored);
  }
}

LogMemory EventLog::memory() const {
  LogMemory memory;
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return memory;
  std::uint64_t value = 0;
  // The cache is shared by every family: read it once, not summed.
  if (db_->GetIntProperty(Family(ColumnFamily::kEvents), rocksdb::DB::Properties::kBlockCacheUsage,
                          &value)) {
    memory.block_cache_bytes = value;
  }
  if (db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kSizeAllMemTables, &value)) {
    memory.memtable_bytes = value;
  }
  if (db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kEstimateTableReadersMem, &value)) {
    memory.table_readers_bytes = value;
  }
  return memory;
}

StorageHealth EventLog::health() const {
  MutexLock lock(health_mutex_);
  return health_;
}

void EventLog::NoteStorageError(std::string_view what, const rocksdb::Status& status) const {
  MutexLock lock(health_mutex_);
  ++health_.errors[static_cast<std::size_t>(ClassifyStorageError(status))];
  health_.writable = false;
  health_.problem = std::string(what) + ": " + status.ToString();
}

void EventLog::SetWritable(bool writable) {
  MutexLock lock(health_mutex_);
  health_.writable = writable;
  health_.read_only = read_only_;
  if (writable) health_.problem.clear();
}

Status EventLog::EnsureWritable() {
  if (!write_failed_ && !read_only_) return Status::Ok();
  auto now = std::chrono::steady_clock::now();
  if (now < next_recovery_) {
    return Status(ErrorCode::kUnavailable, "storage is still failing: " + health().problem);
  }
  next_recovery_ = now + options_.recovery_interval;
  Status recovered = Recover();
  SetWritable(recovered.ok());
  if (!recovered.ok()) {
    return Status(ErrorCode::kUnavailable, "storage is still failing: " + recovered.detail());
  }
  write_failed_ = false;
  return Status::Ok();
}

Status EventLog::Recover() {
  if (!read_only_) {
    rocksdb::Status resumed;
    {
      ReaderMutexLock shared(db_mutex_);
      resumed = db_ ? db_->Resume() : rocksdb::Status::Incomplete("closed");
    }
    if (resumed.ok()) return UndoFailedWrite();
    NoteStorageError("cannot resume writing", resumed);
    // Storage is still broken, or the error is one RocksDB does not resume from: reopen. Reads
    // go to a read-only instance meanwhile (it needs no lock; Visible keeps the failed batch,
    // which may have reached the WAL, out of sight).
    auto read_only = OpenDatabase(OpenMode::kReadOnly);
    if (!read_only.ok()) return read_only.status();
    {
      WriterMutexLock exclusive(db_mutex_);
      Install(**read_only);
      read_only_ = true;
    }
    // The writable instance closes here, outside the lock.
  }
  auto writable = OpenDatabase(OpenMode::kWritable);
  if (!writable.ok()) return writable.status();
  {
    WriterMutexLock exclusive(db_mutex_);
    Install(**writable);
    read_only_ = false;
  }
  writable->reset();  // the read-only instance
  return UndoFailedWrite();
}

Status EventLog::UndoFailedWrite() {
  {
    ReaderMutexLock shared(db_mutex_);
    if (!db_) return LogClosed();
    rocksdb::WriteBatch undo;
    for (const auto& [family, key] : failed_keys_) {
      rocksdb::Status status = undo.Delete(Family(family), key);
      if (!status.ok()) return StorageError("cannot undo the failed write", status);
    }
    rocksdb::Status status = WriteSynced(*db_, undo);
    if (!status.ok()) {
      NoteStorageError("cannot undo the failed write", status);
      return StorageError("cannot undo the failed write", status);
    }
  }
  failed_keys_.clear();
  return LoadTail();
}

Status EventLog::LoadTail() {
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), Family(ColumnFamily::kEvents)));
  it->SeekToLast();
  if (it->Valid()) {
    std::uint64_t sequence = ReadBigEndian(it->key().ToStringView());
    EventDecoder decoder;
    auto event = decoder.Decode(it->value().ToStringView());
    if (!event.ok()) return event.status();
    last_recorded_at_.store(event->recorded_at.micros(), std::memory_order_release);
    last_sequence_.store(sequence, std::memory_order_release);
    // A log read before its upgrade to schema 4 has no chain; nothing is appended to it.
    chain_hash_ = event->hash.empty() ? std::string(kGenesisHash) : std::move(event->hash);
  } else {
    chain_hash_ = kGenesisHash;
  }
  if (!it->status().ok()) return StorageError("cannot read the log's tail", it->status());
  return Status::Ok();
}

Status EventLog::AdoptLogId(const std::string& log_id) {
  if (last_sequence() != 0) {
    return Status(ErrorCode::kInternal, "a log that holds events keeps its own log id");
  }
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  rocksdb::WriteBatch batch;
  rocksdb::Status status = batch.Put(Family(ColumnFamily::kMeta), kLogIdKey, log_id);
  if (status.ok()) status = WriteSynced(*db_, batch);
  if (!status.ok()) return StorageError("cannot write the log id", status);
  MutexLock lock(log_id_mutex_);
  log_id_ = log_id;
  return Status::Ok();
}

Result<std::uint64_t> EventLog::LastVersion(std::string_view organization_id,
                                            std::string_view flag_key) {
  std::string prefix = FlagEventsPrefix(organization_id, flag_key);
  if (auto known = recent_versions_.Find(prefix)) return *known;
  ReaderMutexLock shared(db_mutex_);
  return StreamVersion(prefix);
}

Result<std::uint64_t> EventLog::StreamVersion(const std::string& prefix) {
  if (auto known = recent_versions_.Find(prefix)) return *known;
  if (!db_) return LogClosed();
  std::string end = PrefixEnd(prefix);
  rocksdb::Slice lower_bound(prefix), upper_bound(end);
  rocksdb::ReadOptions read_options;
  read_options.iterate_lower_bound = &lower_bound;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(read_options, Family(ColumnFamily::kFlagEvents)));
  it->SeekToLast();
  if (!it->Valid() && !it->status().ok()) {
    return StorageError("cannot read a flag's stream", it->status());
  }
  std::uint64_t version = it->Valid() ? ReadBigEndian(it->value().ToStringView()) : 0;
  recent_versions_.Remember(prefix, version);  // so that the Append that follows needs no seek
  return version;
}

Status EventLog::Append(std::vector<Event>& events, const std::vector<IdempotencyRecord>& records) {
  return WriteBatchOf(events, records, {}, {});
}

Status EventLog::AppendReplicated(std::span<const ReplicatedBatch> batches,
                                  std::vector<Event>* decoded) {
  std::vector<Event> events;
  std::vector<std::string_view> stored;
  EventDecoder decoder;
  std::uint64_t expected = last_sequence() + 1;
  for (const ReplicatedBatch& replicated : batches) {
    if (replicated.events.empty() || replicated.first != expected ||
        replicated.last != replicated.first + replicated.events.size() - 1) {
      return Status(ErrorCode::kInternal,
                    "a replicated batch of events " + std::to_string(replicated.first) + " to " +
                        std::to_string(replicated.last) + " does not follow event " +
                        std::to_string(expected - 1));
    }
    expected = replicated.last + 1;
    for (const std::string& json : replicated.events) {
      auto event = decoder.Decode(json);
      if (!event.ok()) {
        return Status(ErrorCode::kInternal,
                      "a replicated event does not decode: " + event.status().detail());
      }
      SealedEvent sealed;
      if (!SplitSealedEvent(json, sealed) || ChainHash(sealed) != sealed.hash) {
        return Status(ErrorCode::kInternal, "replicated event " + std::to_string(event->sequence) +
                                                " does not match its hash");
      }
      events.push_back(std::move(event).value());
      stored.push_back(json);
    }
  }
  if (events.empty()) return Status::Ok();
  Status written = WriteBatchOf(events, {}, batches, stored);
  if (written.ok() && decoded) *decoded = std::move(events);
  return written;
}

Status EventLog::WriteBatchOf(std::vector<Event>& events,
                              const std::vector<IdempotencyRecord>& records,
                              std::span<const ReplicatedBatch> replicated,
                              std::span<const std::string_view> stored) {
  if (options_.secondary) return Status(ErrorCode::kInternal, "a secondary log is read-only");
  Status writable = EnsureWritable();
  if (!writable.ok()) return writable;
  // Held shared from the first seek to the write: Recover, the only exclusive holder, runs on
  // this same thread, so nothing waits on it.
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  rocksdb::WriteBatch batch;
  const auto handles = families_;  // for the lambda below, which runs under this lock
  std::vector<std::pair<ColumnFamily, std::string>> written;  // undone by Recover on failure
  std::map<std::string, std::uint64_t> versions;  // flag prefix -> last version, this batch
  std::uint64_t sequence = last_sequence();
  std::int64_t recorded_at = last_recorded_at_.load(std::memory_order_relaxed);
  std::string chain_hash = chain_hash_;
  std::vector<std::string> encoded;  // the leader's events as stored, for recent_batches_
  rocksdb::Status status;
  auto put = [&](ColumnFamily family, std::string key, const rocksdb::Slice& value) {
    if (status.ok()) status = batch.Put(handles[static_cast<std::size_t>(family)], key, value);
    written.emplace_back(family, std::move(key));
  };
  for (std::size_t i = 0; i < events.size(); ++i) {
    Event& event = events[i];
    std::string prefix = FlagEventsPrefix(event.organization_id, event.flag_key);
    auto known = versions.find(prefix);
    if (known == versions.end()) {
      auto last = StreamVersion(prefix);
      if (!last.ok()) return last.status();
      known = versions.emplace(std::move(prefix), *last).first;
    }
    if (event.recorded_at.micros() < recorded_at) {
      return Status(ErrorCode::kInternal, "event recorded_at goes back in time");
    }
    recorded_at = event.recorded_at.micros();
    ++sequence;
    ++known->second;
    if (!stored.empty()) {  // the leader's event: exactly the one this log expects next
      if (event.sequence != sequence || event.version != known->second ||
          event.previous_hash != chain_hash) {
        return Status(ErrorCode::kInternal, "replicated event " + std::to_string(event.sequence) +
                                                " is not the next event of this log (sequence " +
                                                std::to_string(sequence) + ", version " +
                                                std::to_string(known->second) +
                                                " of its flag, chained to the last)");
      }
      put(ColumnFamily::kEvents, SequenceKey(sequence), rocksdb::Slice(stored[i]));
    } else {
      event.sequence = sequence;
      event.version = known->second;
      encoded.push_back(EncodeChainedEvent(event, chain_hash));
      put(ColumnFamily::kEvents, SequenceKey(sequence), encoded.back());
    }
    chain_hash = event.hash;
    std::string version_value;
    AppendBigEndian(version_value, event.version);
    put(ColumnFamily::kFlagEvents,
        FlagEventsKey(event.organization_id, event.flag_key, event.sequence), version_value);
    put(ColumnFamily::kOrgEvents, OrgEventsKey(event.organization_id, event.sequence),
        OrgEventsValue(event));
    put(ColumnFamily::kTimeIndex, TimeIndexKey(event.recorded_at, event.sequence), {});
    for (std::string& key : AuditKeys(event)) put(ColumnFamily::kAuditIndex, std::move(key), {});
    if (!status.ok()) return StorageError("cannot build the write batch", status);
  }
  auto put_records = [&](const std::vector<IdempotencyRecord>& stored_records) {
    for (const IdempotencyRecord& record : stored_records) {
      put(ColumnFamily::kIdempotency, record.scope_key, EncodeIdempotencyRecord(record));
      put(ColumnFamily::kIdempotencyExpiry,
          IdempotencyExpiryKey(record.created_at, record.scope_key), rocksdb::Slice());
    }
  };
  if (replicated.empty() && !events.empty()) {
    put(ColumnFamily::kBatches, SequenceKey(events.front().sequence),
        BatchesValue(events.back().sequence, records));
  }
  put_records(records);
  for (const ReplicatedBatch& one : replicated) {
    put(ColumnFamily::kBatches, SequenceKey(one.first), BatchesValue(one.last, one.records));
    put_records(one.records);
  }
  std::map<std::string, CheckpointCursor, std::less<>> cursors;
  Status checkpointed = AddCheckpoints(events, batch, written, cursors);
  if (!checkpointed.ok()) return checkpointed;
  if (!status.ok()) return StorageError("cannot build the write batch", status);
  // The writer's own batch as a follower receives it: for the gate, then for the feeds.
  std::shared_ptr<const ReplicatedBatch> own;
  if (replicated.empty() && !events.empty()) {
    own = std::make_shared<const ReplicatedBatch>(ReplicatedBatch{
        events.front().sequence, events.back().sequence, std::move(encoded), records});
    if (options_.gate) {
      Status admitted = options_.gate->Admit(*own);
      if (!admitted.ok()) return admitted;
    }
  } else if (replicated.empty() && options_.gate) {
    Status writable = options_.gate->CheckWritable();
    if (!writable.ok()) return writable;
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync_writes;
  status = db_->Write(write_options, &batch);
  if (!status.ok()) {
    write_failed_ = true;
    failed_keys_ = std::move(written);
    NoteStorageError("cannot append to the event log", status);
    return StorageError("cannot append to the event log", status);
  }
  for (const auto& [prefix, version] : versions) recent_versions_.Remember(prefix, version);
  for (auto& [organization_id, cursor] : cursors) {
    checkpoint_cursors_.insert_or_assign(organization_id, cursor);
  }
  last_recorded_at_.store(recorded_at, std::memory_order_release);
  last_sequence_.store(sequence, std::memory_order_release);
  chain_hash_ = std::move(chain_hash);
  // After last_sequence_: a feed never finds a batch past the head it reads.
  if (own) recent_batches_->Add(std::move(own));
  for (const ReplicatedBatch& one : replicated) {
    recent_batches_->Add(std::make_shared<const ReplicatedBatch>(one));
  }
  return Status::Ok();
}

}  // namespace flagledger

namespace flagledger {

Result<std::optional<IdempotencyRecord>> EventLog::FindIdempotencyRecord(
    std::string_view scope_key) const {
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  std::string value;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), Family(ColumnFamily::kIdempotency), scope_key, &value);
  if (status.IsNotFound()) return std::optional<IdempotencyRecord>();
  if (!status.ok()) return StorageError("cannot read an idempotency record", status);
  IdempotencyRecord record;
  if (!DecodeIdempotencyRecord(scope_key, value, record)) {
    return Status(ErrorCode::kInternal, "a stored idempotency record is damaged");
  }
  return std::optional<IdempotencyRecord>(std::move(record));
}

Result<std::size_t> EventLog::DeleteIdempotencyRecordsBefore(Timestamp cutoff, std::size_t limit) {
  if (options_.secondary) return std::size_t{0};
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  std::string end = IdempotencyExpiryKey(cutoff, "");
  rocksdb::Slice upper_bound(end);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(read_options, Family(ColumnFamily::kIdempotencyExpiry)));
  rocksdb::WriteBatch batch;
  std::size_t deleted = 0;
  for (it->SeekToFirst(); it->Valid() && deleted < limit; it->Next()) {
    std::string_view key = it->key().ToStringView();
    std::string_view scope_key = key.substr(8);
    // A key reused after it expired has a newer record: delete only the one indexed here.
    IdempotencyRecord record;
    std::string value;
    rocksdb::Status found =
        db_->Get(rocksdb::ReadOptions(), Family(ColumnFamily::kIdempotency), scope_key, &value);
    if (!found.ok() && !found.IsNotFound()) {
      return StorageError("cannot read an idempotency record", found);
    }
    rocksdb::Status deleting;
    // A damaged record is deleted with its index entry: it could never be replayed.
    bool damaged = found.ok() && !DecodeIdempotencyRecord(scope_key, value, record);
    if (found.ok() && (damaged || IdempotencyExpiryKey(record.created_at, scope_key) == key)) {
      deleting = batch.Delete(Family(ColumnFamily::kIdempotency), scope_key);
    }
    if (deleting.ok()) deleting = batch.Delete(Family(ColumnFamily::kIdempotencyExpiry), key);
    if (!deleting.ok()) return StorageError("cannot build the expiry batch", deleting);
    ++deleted;
  }
  if (!it->status().ok()) return StorageError("cannot read the idempotency index", it->status());
  if (deleted == 0) return deleted;
  rocksdb::Status status = db_->Write(rocksdb::WriteOptions(), &batch);
  if (!status.ok()) return StorageError("cannot expire idempotency records", status);
  return deleted;
}

}  // namespace flagledger

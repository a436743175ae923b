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

#include <filesystem>
#include <map>
#include <utility>

#include "events/event_codec.h"
#include "events/log_keys.h"
#include "events/log_status.h"

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

}  // namespace

Result<std::unique_ptr<EventLog>> EventLog::Open(const std::string& data_dir,
                                                 const EventLogOptions& options) {
  std::unique_ptr<EventLog> log(new EventLog());
  log->data_dir_ = data_dir;
  log->options_ = options;
  log->recent_versions_ = RecentVersions(options.recent_versions);
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
  WriterMutexLock exclusive(db_mutex_);
  Status opened = OpenDatabase();
  if (!opened.ok()) return opened;

  std::string stored_schema;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), Family(ColumnFamily::kMeta), kSchemaKey, &stored_schema);
  if (status.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), Family(ColumnFamily::kEvents)));
    it->SeekToFirst();
    if (it->Valid()) {
      return Status(ErrorCode::kInternal,
                    "the event log in " + data_dir_ + " holds events but no schema version");
    }
    if (!options_.secondary) {
      rocksdb::WriteOptions write_options;
      write_options.sync = true;
      status = db_->Put(write_options, Family(ColumnFamily::kMeta), kSchemaKey,
                        std::to_string(kSchemaVersion));
      if (!status.ok()) return StorageError("cannot write the schema version", status);
    }
  } else if (!status.ok()) {
    return StorageError("cannot read the schema version", status);
  } else if (stored_schema != std::to_string(kSchemaVersion)) {
    return Status(ErrorCode::kInternal, "the event log in " + data_dir_ + " has schema version " +
                                            stored_schema + "; this flagledger reads only " +
                                            std::to_string(kSchemaVersion));
  }
  return Status::Ok();
}

Status EventLog::OpenDatabase() {
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
  rocksdb::ColumnFamilyOptions family_options;
  family_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));
  // Opened in ColumnFamily order, so that handles[i] is the family ColumnFamily(i).
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.reserve(kColumnFamilyCount);
  for (std::string_view name : kColumnFamilyNames) {
    families.emplace_back(std::string(name), family_options);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status status;
  if (options_.secondary) {
    db_options.max_open_files = -1;  // required by secondary instances
    status =
        rocksdb::DB::OpenAsSecondary(db_options, path, secondary_dir_, families, &handles, &raw_db);
  } else {
    std::error_code ignored;
    std::filesystem::create_directories(path, ignored);
    db_options.max_open_files = options_.max_open_files;
    db_options.create_if_missing = true;
    db_options.create_missing_column_families = true;
    status = rocksdb::DB::Open(db_options, path, families, &handles, &raw_db);
  }
  if (!status.ok()) return StorageError("cannot open the event log in " + data_dir_, status);
  db_.reset(raw_db);
  std::copy(handles.begin(), handles.end(), families_.begin());
  return Status::Ok();
}

void EventLog::CloseDatabase() {
  if (!db_) return;
  for (rocksdb::ColumnFamilyHandle*& handle : families_) {
    if (handle) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    handle = nullptr;
  }
  // Close reports errors of the final flush; the WAL already holds every event.
  db_->Close().PermitUncheckedError();
  db_.reset();
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

Status EventLog::EnsureWritable() {
  if (!write_failed_) return Status::Ok();
  Status recovered = Recover();
  if (!recovered.ok()) {
    return Status(ErrorCode::kUnavailable, "storage is still failing: " + recovered.detail());
  }
  write_failed_ = false;
  return Status::Ok();
}

Status EventLog::Recover() {
  Status undone = ResumeAndUndoFailedWrite();
  if (!undone.ok()) return undone;
  return LoadTail();
}

Status EventLog::ResumeAndUndoFailedWrite() {
  WriterMutexLock exclusive(db_mutex_);
  if (!db_ || !db_->Resume().ok()) {
    // Fatal write errors cannot be resumed: reopen, which also replays what reached the WAL.
    CloseDatabase();
    Status reopened = OpenDatabase();
    if (!reopened.ok()) return reopened;
  }
  rocksdb::WriteBatch undo;
  for (const auto& [family, key] : failed_keys_) {
    rocksdb::Status status = undo.Delete(Family(family), key);
    if (!status.ok()) return StorageError("cannot undo the failed write", status);
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  rocksdb::Status status = db_->Write(write_options, &undo);
  if (!status.ok()) return StorageError("cannot undo the failed write", status);
  failed_keys_.clear();
  return Status::Ok();
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
  }
  if (!it->status().ok()) return StorageError("cannot read the log's tail", it->status());
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
  if (options_.secondary) return Status(ErrorCode::kInternal, "a secondary log is read-only");
  Status writable = EnsureWritable();
  if (!writable.ok()) return writable;
  // Held shared from the first seek to the write: Recover, the only exclusive holder, runs on
  // this same thread, so nothing waits on it.
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  rocksdb::WriteBatch batch;
  std::vector<std::pair<ColumnFamily, std::string>> written;  // undone by Recover on failure
  std::map<std::string, std::uint64_t> versions;  // flag prefix -> last version, this batch
  std::uint64_t sequence = last_sequence();
  std::int64_t recorded_at = last_recorded_at_.load(std::memory_order_relaxed);
  for (Event& event : events) {
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
    event.sequence = ++sequence;
    event.version = ++known->second;

    std::string version_value;
    AppendBigEndian(version_value, event.version);
    std::size_t first = written.size();
    written.emplace_back(ColumnFamily::kEvents, SequenceKey(event.sequence));
    written.emplace_back(ColumnFamily::kFlagEvents,
                         FlagEventsKey(event.organization_id, event.flag_key, event.sequence));
    written.emplace_back(ColumnFamily::kOrgEvents,
                         OrgEventsKey(event.organization_id, event.sequence));
    written.emplace_back(ColumnFamily::kTimeIndex, TimeIndexKey(event.recorded_at, event.sequence));
    rocksdb::Status status =
        batch.Put(Family(ColumnFamily::kEvents), written[first].second, EncodeEvent(event));
    if (status.ok())
      status =
          batch.Put(Family(ColumnFamily::kFlagEvents), written[first + 1].second, version_value);
    if (status.ok())
      status =
          batch.Put(Family(ColumnFamily::kOrgEvents), written[first + 2].second, rocksdb::Slice());
    if (status.ok())
      status =
          batch.Put(Family(ColumnFamily::kTimeIndex), written[first + 3].second, rocksdb::Slice());
    if (!status.ok()) return StorageError("cannot build the write batch", status);
  }
  for (const IdempotencyRecord& record : records) {
    written.emplace_back(ColumnFamily::kIdempotency, record.scope_key);
    written.emplace_back(ColumnFamily::kIdempotencyExpiry,
                         IdempotencyExpiryKey(record.created_at, record.scope_key));
    rocksdb::Status status = batch.Put(Family(ColumnFamily::kIdempotency), record.scope_key,
                                       EncodeIdempotencyRecord(record));
    if (status.ok())
      status = batch.Put(Family(ColumnFamily::kIdempotencyExpiry), written.back().second,
                         rocksdb::Slice());
    if (!status.ok()) return StorageError("cannot build the write batch", status);
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync_writes;
  rocksdb::Status status = db_->Write(write_options, &batch);
  if (!status.ok()) {
    write_failed_ = true;
    failed_keys_ = std::move(written);
    return StorageError("cannot append to the event log", status);
  }
  for (const auto& [prefix, version] : versions) recent_versions_.Remember(prefix, version);
  last_recorded_at_.store(recorded_at, std::memory_order_release);
  last_sequence_.store(sequence, std::memory_order_release);
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

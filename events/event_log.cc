// Opening the log, appending to it, and following it as a secondary. The key layout is in
// log_keys.cc; the queries are in event_log_reads.cc.
#include "events/event_log.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <utility>

#include "events/event_codec.h"
#include "events/log_keys.h"

namespace flagledger {

using namespace internal;

namespace {

Status StorageError(std::string_view what, const rocksdb::Status& status) {
  return Status(ErrorCode::kUnavailable, std::string(what) + ": " + status.ToString());
}

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
  std::string path = data_dir + "/log";
  rocksdb::Options db_options;
  // Point-in-time reads are point lookups and short seeks spread over the whole history:
  // one block cache for all families, bloom filters for the lookups by sequence, and the
  // newest files' index and filter blocks kept in memory.
  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table_options.cache_index_and_filter_blocks = true;
  table_options.pin_l0_filter_and_index_blocks_in_cache = true;
  rocksdb::ColumnFamilyOptions family_options;
  family_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, family_options},
      {kEventsFamily, family_options},
      {kFlagEventsFamily, family_options},
      {kOrgEventsFamily, family_options},
      {kTimeIndexFamily, family_options},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status status;
  std::string secondary_dir;
  if (options.secondary) {
    if (!std::filesystem::exists(path + "/CURRENT")) {
      return Status(ErrorCode::kUnavailable, "no event log in " + data_dir);
    }
    secondary_dir = MakeSecondaryDir();
    db_options.max_open_files = -1;  // required by secondary instances
    status = rocksdb::DB::OpenAsSecondary(db_options, path, secondary_dir, families, &handles, &raw_db);
  } else {
    std::error_code ignored;
    std::filesystem::create_directories(path, ignored);
    db_options.create_if_missing = true;
    db_options.create_missing_column_families = true;
    status = rocksdb::DB::Open(db_options, path, families, &handles, &raw_db);
  }
  std::unique_ptr<EventLog> log(new EventLog());
  log->secondary_dir_ = secondary_dir;
  if (!status.ok()) return StorageError("cannot open the event log in " + data_dir, status);

  log->data_dir_ = data_dir;
  log->options_ = options;
  log->db_.reset(raw_db);
  log->meta_ = handles[0];
  log->events_ = handles[1];
  log->flag_events_ = handles[2];
  log->org_events_ = handles[3];
  log->time_index_ = handles[4];

  std::string stored_schema;
  status = log->db_->Get(rocksdb::ReadOptions(), log->meta_, kSchemaKey, &stored_schema);
  if (status.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it(log->db_->NewIterator(rocksdb::ReadOptions(), log->events_));
    it->SeekToFirst();
    if (it->Valid()) {
      return Status(ErrorCode::kInternal,
                    "the event log in " + data_dir + " holds events but no schema version");
    }
    if (!options.secondary) {
      rocksdb::WriteOptions write_options;
      write_options.sync = true;
      status = log->db_->Put(write_options, log->meta_, kSchemaKey, std::to_string(kSchemaVersion));
      if (!status.ok()) return StorageError("cannot write the schema version", status);
    }
  } else if (!status.ok()) {
    return StorageError("cannot read the schema version", status);
  } else if (stored_schema != std::to_string(kSchemaVersion)) {
    return Status(ErrorCode::kInternal, "the event log in " + data_dir + " has schema version " +
                                            stored_schema + "; this flagledger reads only " +
                                            std::to_string(kSchemaVersion));
  }
  Status tail = log->LoadTail();
  if (!tail.ok()) return tail;
  return log;
}

EventLog::~EventLog() {
  if (db_) {
    for (auto* handle : {meta_, events_, flag_events_, org_events_, time_index_}) {
      if (handle) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    // Close reports errors of the final flush; the WAL already holds every event.
    db_->Close().PermitUncheckedError();
    db_.reset();
  }
  if (!secondary_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(secondary_dir_, ignored);
  }
}

Status EventLog::LoadTail() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), events_));
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

Status EventLog::CatchUp() {
  if (!options_.secondary) return Status::Ok();
  rocksdb::Status status = db_->TryCatchUpWithPrimary();
  if (!status.ok()) return StorageError("cannot catch up with the server", status);
  return LoadTail();
}

Result<std::uint64_t> EventLog::LastVersionOf(std::string_view organization_id,
                                              std::string_view flag_key) const {
  std::string prefix = FlagEventsPrefix(organization_id, flag_key);
  std::string end = PrefixEnd(prefix);
  rocksdb::Slice lower_bound(prefix), upper_bound(end);
  rocksdb::ReadOptions read_options;
  read_options.iterate_lower_bound = &lower_bound;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, flag_events_));
  it->SeekToLast();
  if (it->Valid()) return ReadBigEndian(it->value().ToStringView());
  if (!it->status().ok()) return StorageError("cannot read a flag's stream", it->status());
  return std::uint64_t{0};
}

Status EventLog::Append(std::vector<Event>& events) {
  if (options_.secondary) return Status(ErrorCode::kInternal, "a secondary log is read-only");
  rocksdb::WriteBatch batch;
  std::map<std::string, std::uint64_t> versions;  // flag prefix -> last version, this batch
  std::uint64_t sequence = last_sequence();
  std::int64_t recorded_at = last_recorded_at_.load(std::memory_order_relaxed);
  for (Event& event : events) {
    std::string prefix = FlagEventsPrefix(event.organization_id, event.flag_key);
    auto known = versions.find(prefix);
    if (known == versions.end()) {
      auto last = LastVersionOf(event.organization_id, event.flag_key);
      if (!last.ok()) return last.status();
      known = versions.emplace(prefix, *last).first;
    }
    if (event.recorded_at.micros() < recorded_at) {
      return Status(ErrorCode::kInternal, "event recorded_at goes back in time");
    }
    recorded_at = event.recorded_at.micros();
    event.sequence = ++sequence;
    event.version = ++known->second;

    std::string version_value;
    AppendBigEndian(version_value, event.version);
    rocksdb::Status status = batch.Put(events_, SequenceKey(event.sequence), EncodeEvent(event));
    if (status.ok()) {
      status = batch.Put(flag_events_,
                         FlagEventsKey(event.organization_id, event.flag_key, event.sequence),
                         version_value);
    }
    if (status.ok()) {
      status = batch.Put(org_events_, OrgEventsKey(event.organization_id, event.sequence),
                         rocksdb::Slice());
    }
    if (status.ok()) {
      status = batch.Put(time_index_, TimeIndexKey(event.recorded_at, event.sequence),
                         rocksdb::Slice());
    }
    if (!status.ok()) return StorageError("cannot build the write batch", status);
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync_writes;
  rocksdb::Status status = db_->Write(write_options, &batch);
  if (!status.ok()) return StorageError("cannot append to the event log", status);
  last_recorded_at_.store(recorded_at, std::memory_order_release);
  last_sequence_.store(sequence, std::memory_order_release);
  return Status::Ok();
}

}  // namespace flagledger

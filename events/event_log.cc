// RocksDB layout. Column families and their keys (all integers big-endian, so that bytewise
// key order is numeric order and iteration order is log order):
//
//   default      "schema_version"                  -> decimal text, "1"
//   events       u64 sequence                      -> event JSON (events/event_codec.cc)
//   flag_events  org '\0' flag_key '\0' u64 version -> u64 sequence
//   org_events   org '\0' u64 sequence              -> ""
//   time_index   u64 (recorded_at micros + 2^63) u64 sequence -> ""
//
// Identifiers never contain '\0' (core/identifier.h), so each prefix names exactly one
// organization or flag key. One Append is one WriteBatch over all five families.
#include "events/event_log.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/write_batch.h>

#include <map>
#include <utility>

#include "events/event_codec.h"

namespace flagledger {
namespace {

constexpr char kSchemaKey[] = "schema_version";
constexpr char kEventsFamily[] = "events";
constexpr char kFlagEventsFamily[] = "flag_events";
constexpr char kOrgEventsFamily[] = "org_events";
constexpr char kTimeIndexFamily[] = "time_index";

void AppendBigEndian(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

std::uint64_t ReadBigEndian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8 && i < bytes.size(); ++i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  }
  return value;
}

std::string SequenceKey(std::uint64_t sequence) {
  std::string key;
  AppendBigEndian(key, sequence);
  return key;
}

std::string FlagPrefix(std::string_view organization_id, std::string_view flag_key) {
  std::string prefix;
  prefix.reserve(organization_id.size() + flag_key.size() + 10);
  prefix.append(organization_id).push_back('\0');
  prefix.append(flag_key).push_back('\0');
  return prefix;
}

Status StorageError(std::string_view what, const rocksdb::Status& status) {
  return Status(ErrorCode::kUnavailable, std::string(what) + ": " + status.ToString());
}

}  // namespace

Result<std::unique_ptr<EventLog>> EventLog::Open(const std::string& data_dir,
                                                 const EventLogOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  rocksdb::ColumnFamilyOptions family_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, family_options},
      {kEventsFamily, family_options},
      {kFlagEventsFamily, family_options},
      {kOrgEventsFamily, family_options},
      {kTimeIndexFamily, family_options},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(db_options, data_dir, families, &handles, &raw_db);
  if (!status.ok()) return StorageError("cannot open data directory " + data_dir, status);

  std::unique_ptr<EventLog> log(new EventLog());
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
    std::unique_ptr<rocksdb::Iterator> it(
        log->db_->NewIterator(rocksdb::ReadOptions(), log->events_));
    it->SeekToFirst();
    if (it->Valid()) {
      return Status(ErrorCode::kInternal,
                    "data directory " + data_dir + " holds events but no schema version");
    }
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    status = log->db_->Put(write_options, log->meta_, kSchemaKey, std::to_string(kSchemaVersion));
    if (!status.ok()) return StorageError("cannot write the schema version", status);
  } else if (!status.ok()) {
    return StorageError("cannot read the schema version", status);
  } else if (stored_schema != std::to_string(kSchemaVersion)) {
    return Status(ErrorCode::kInternal, "data directory " + data_dir + " has schema version " +
                                            stored_schema + "; this flagledger reads only " +
                                            std::to_string(kSchemaVersion));
  }
  Status tail = log->LoadTail();
  if (!tail.ok()) return tail;
  return log;
}

EventLog::~EventLog() {
  if (!db_) return;
  for (auto* handle : {meta_, events_, flag_events_, org_events_, time_index_}) {
    if (handle) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  // Close reports errors of the final flush; the WAL already holds every event.
  db_->Close().PermitUncheckedError();
}

Status EventLog::LoadTail() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), events_));
  it->SeekToLast();
  if (it->Valid()) {
    std::uint64_t sequence = ReadBigEndian(it->key().ToStringView());
    EventDecoder decoder;
    auto event = decoder.Decode(it->value().ToStringView());
    if (!event.ok()) return event.status();
    last_sequence_.store(sequence, std::memory_order_release);
    last_recorded_at_.store(event->recorded_at.micros(), std::memory_order_release);
  }
  if (!it->status().ok()) return StorageError("cannot read the log's tail", it->status());
  return Status::Ok();
}

Result<std::uint64_t> EventLog::LastVersionOf(std::string_view organization_id,
                                              std::string_view flag_key) const {
  std::string prefix = FlagPrefix(organization_id, flag_key);
  std::string upper = prefix;
  upper.back() = '\1';  // just past every key with this prefix
  rocksdb::Slice lower_bound(prefix), upper_bound(upper);
  rocksdb::ReadOptions read_options;
  read_options.iterate_lower_bound = &lower_bound;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, flag_events_));
  it->SeekToLast();
  if (it->Valid()) return ReadBigEndian(it->key().ToStringView().substr(prefix.size()));
  if (!it->status().ok()) return StorageError("cannot read a flag's stream", it->status());
  return std::uint64_t{0};
}

Status EventLog::Append(std::vector<Event>& events) {
  rocksdb::WriteBatch batch;
  std::map<std::string, std::uint64_t> versions;  // flag prefix -> last version, this batch
  std::uint64_t sequence = last_sequence();
  std::int64_t recorded_at = last_recorded_at_.load(std::memory_order_relaxed);
  for (Event& event : events) {
    std::string prefix = FlagPrefix(event.organization_id, event.flag_key);
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

    std::string sequence_key = SequenceKey(event.sequence);
    std::string flag_key = prefix;
    AppendBigEndian(flag_key, event.version);
    std::string org_key = event.organization_id + '\0';
    AppendBigEndian(org_key, event.sequence);
    std::string time_key;
    AppendBigEndian(time_key, static_cast<std::uint64_t>(recorded_at) ^ (1ULL << 63));
    AppendBigEndian(time_key, event.sequence);

    rocksdb::Status status = batch.Put(events_, sequence_key, EncodeEvent(event));
    if (status.ok()) status = batch.Put(flag_events_, flag_key, sequence_key);
    if (status.ok()) status = batch.Put(org_events_, org_key, rocksdb::Slice());
    if (status.ok()) status = batch.Put(time_index_, time_key, rocksdb::Slice());
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

Status EventLog::Scan(std::uint64_t after_sequence,
                      const std::function<bool(std::uint64_t, std::string_view)>& visit) const {
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;  // a scan would evict the hot blocks
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, events_));
  for (it->Seek(SequenceKey(after_sequence + 1)); it->Valid(); it->Next()) {
    if (!visit(ReadBigEndian(it->key().ToStringView()), it->value().ToStringView())) break;
  }
  if (!it->status().ok()) return StorageError("cannot read the event log", it->status());
  return Status::Ok();
}

}  // namespace flagledger

// The organizations' checkpoints (events/org_checkpoint.h): written by Append, read by
// LiveFlagsAt.
#include <rocksdb/db.h>
#include <rocksdb/slice.h>
#include <rocksdb/write_batch.h>

#include <algorithm>

#include "events/event_codec.h"
#include "events/event_log.h"
#include "events/event_lookup.h"
#include "events/log_keys.h"
#include "events/log_status.h"

namespace flagledger {

using namespace internal;

namespace {

// Index entries folded at a time (and events read per MultiGet in a log before schema 5).
constexpr std::size_t kFoldChunk = 256;

}  // namespace

Result<OrgCheckpoint> EventLog::StoredCheckpointAt(std::string_view organization_id,
                                                   std::uint64_t sequence) const {
  OrgCheckpoint checkpoint;
  rocksdb::ColumnFamilyHandle* family = Family(ColumnFamily::kOrgCheckpoints);
  if (!family) return checkpoint;  // a log of an older schema, opened read-only
  std::string prefix = OrgEventsPrefix(organization_id);
  rocksdb::Slice lower_bound(prefix);
  rocksdb::ReadOptions read_options;
  read_options.iterate_lower_bound = &lower_bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, family));
  it->SeekForPrev(OrgEventsKey(organization_id, sequence));
  if (!it->Valid()) {
    if (!it->status().ok()) return StorageError("cannot read a checkpoint", it->status());
    return checkpoint;
  }
  checkpoint.sequence = ReadBigEndian(it->key().ToStringView().substr(prefix.size()));
  if (!DecodeOrgCheckpoint(it->value().ToStringView(), checkpoint)) {
    return Status(ErrorCode::kInternal, "the checkpoint of organization " +
                                            std::string(organization_id) + " at event " +
                                            std::to_string(checkpoint.sequence) + " is damaged");
  }
  return checkpoint;
}

Status EventLog::FoldStoredEvents(std::string_view organization_id, std::uint64_t through,
                                  OrgCheckpoint& checkpoint) const {
  if (through <= checkpoint.sequence) return Status::Ok();
  std::string end = OrgEventsKey(organization_id, through + 1);
  rocksdb::Slice upper_bound(end);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(read_options, Family(ColumnFamily::kOrgEvents)));
  const std::size_t prefix_size = OrgEventsPrefix(organization_id).size();
  // The index entries of a chunk, in order; those without a value (a log before schema 5)
  // are folded from their events, read with one MultiGet per chunk.
  std::vector<std::pair<std::uint64_t, std::string>> entries;
  std::vector<std::uint64_t> unvalued;
  thread_local EventDecoder decoder;
  rocksdb::DB* db = db_.get();  // for the lambda, which runs under this function's lock
  rocksdb::ColumnFamilyHandle* event_family = Family(ColumnFamily::kEvents);
  auto fold = [&]() -> Status {
    std::vector<std::string> events;
    if (!unvalued.empty()) {
      auto read = ReadEvents(db, event_family, unvalued);
      if (!read.ok()) return read.status();
      events = std::move(read).value();
    }
    std::size_t next_event = 0;
    for (auto& [sequence, value] : entries) {
      if (value.empty()) {
        auto event = decoder.Decode(events[next_event++], EventDecoder::Parts::kWithoutChanges);
        if (!event.ok()) return event.status();
        value = OrgEventsValue(*event);
      }
      if (value[0] == '+' || value[0] == '-') {
        checkpoint.Apply(std::string_view(value).substr(1), sequence, value[0] == '+');
      }
    }
    entries.clear();
    unvalued.clear();
    return Status::Ok();
  };
  for (it->Seek(OrgEventsKey(organization_id, checkpoint.sequence + 1)); it->Valid(); it->Next()) {
    std::uint64_t sequence = ReadBigEndian(it->key().ToStringView().substr(prefix_size));
    entries.emplace_back(sequence, it->value().ToString());
    if (entries.back().second.empty()) unvalued.push_back(sequence);
    if (entries.size() == kFoldChunk) {
      Status folded = fold();
      if (!folded.ok()) return folded;
    }
  }
  if (!it->status().ok()) return StorageError("cannot read the organization index", it->status());
  Status folded = fold();
  if (!folded.ok()) return folded;
  checkpoint.sequence = through;
  return Status::Ok();
}

Result<OrgCheckpoint> EventLog::LiveFlagsAt(std::string_view organization_id,
                                            std::uint64_t sequence) const {
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  sequence = std::min(sequence, last_sequence());
  auto checkpoint = StoredCheckpointAt(organization_id, sequence);
  if (!checkpoint.ok()) return checkpoint;
  Status folded = FoldStoredEvents(organization_id, sequence, *checkpoint);
  if (!folded.ok()) return folded;
  return checkpoint;
}

Result<EventLog::CheckpointCursor> EventLog::LoadCheckpointCursor(
    std::string_view organization_id) {
  if (auto known = checkpoint_cursors_.find(organization_id); known != checkpoint_cursors_.end()) {
    return known->second;
  }
  auto newest = StoredCheckpointAt(organization_id, EventRange::kEnd);
  if (!newest.ok()) return newest.status();
  CheckpointCursor cursor{newest->sequence, CheckpointInterval(newest->live.size()), 0};
  // Counted only up to the interval: past it, the next append writes a checkpoint anyway.
  std::string prefix = OrgEventsPrefix(organization_id);
  std::string end = PrefixEnd(prefix);
  rocksdb::Slice upper_bound(end);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(read_options, Family(ColumnFamily::kOrgEvents)));
  for (it->Seek(OrgEventsKey(organization_id, cursor.sequence + 1));
       it->Valid() && cursor.events_since < cursor.interval; it->Next()) {
    ++cursor.events_since;
  }
  if (!it->status().ok()) return StorageError("cannot read the organization index", it->status());
  return cursor;
}

Status EventLog::AddCheckpoints(const std::vector<Event>& events, rocksdb::WriteBatch& batch,
                                std::vector<std::pair<ColumnFamily, std::string>>& written,
                                std::map<std::string, CheckpointCursor, std::less<>>& cursors) {
  for (const Event& event : events) {
    if (IsTokenEvent(event.type)) continue;
    auto cursor = cursors.find(event.organization_id);
    if (cursor == cursors.end()) {
      auto loaded = LoadCheckpointCursor(event.organization_id);
      if (!loaded.ok()) return loaded.status();
      cursor = cursors.emplace(event.organization_id, *loaded).first;
    }
    ++cursor->second.events_since;
  }
  for (auto& [organization_id, cursor] : cursors) {
    if (cursor.events_since < cursor.interval) continue;
    auto checkpoint = StoredCheckpointAt(organization_id, cursor.sequence);
    if (!checkpoint.ok()) return checkpoint.status();
    Status folded = FoldStoredEvents(organization_id, last_sequence(), *checkpoint);
    if (!folded.ok()) return folded;
    for (const Event& event : events) {
      if (event.organization_id != organization_id || IsTokenEvent(event.type)) continue;
      checkpoint->Apply(event.flag_key, event.sequence, event.flag.has_value());
    }
    std::string key = OrgEventsKey(organization_id, checkpoint->sequence);
    rocksdb::Status status =
        batch.Put(Family(ColumnFamily::kOrgCheckpoints), key, EncodeOrgCheckpoint(*checkpoint));
    if (!status.ok()) return StorageError("cannot build the write batch", status);
    written.emplace_back(ColumnFamily::kOrgCheckpoints, std::move(key));
    cursor = CheckpointCursor{checkpoint->sequence, CheckpointInterval(checkpoint->live.size()), 0};
  }
  return Status::Ok();
}

}  // namespace flagledger

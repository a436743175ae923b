// EventLog::ReadBatches: the log in the units its writer appended, for followers.
#include <rocksdb/db.h>
#include <rocksdb/slice.h>

#include "events/event_log.h"
#include "events/event_lookup.h"
#include "events/log_keys.h"
#include "events/log_status.h"

namespace flagledger {

using namespace internal;

Result<std::vector<ReplicatedBatch>> EventLog::ReadBatches(std::uint64_t after,
                                                           std::size_t max_events) const {
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  std::vector<ReplicatedBatch> batches;
  const std::uint64_t last = last_sequence();
  if (after >= last) return batches;
  if (recent_batches_->CopyFrom(after, max_events, batches)) return batches;
  rocksdb::ColumnFamilyHandle* family = Family(ColumnFamily::kBatches);
  if (!family || schema_ < 5) {
    return Status(ErrorCode::kUnavailable,
                  "this log keeps no batch boundaries (schema " + std::to_string(schema_) + ")");
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family));
  std::size_t events = 0;
  std::vector<std::string> scope_keys;
  std::vector<std::uint64_t> sequences;
  for (it->Seek(SequenceKey(after + 1)); it->Valid() && events < max_events; it->Next()) {
    ReplicatedBatch batch;
    batch.first = ReadBigEndian(it->key().ToStringView());
    if (!ParseBatchesValue(it->value().ToStringView(), batch.last, scope_keys) ||
        batch.last < batch.first) {
      return Status(ErrorCode::kInternal, "the batch index entry at event " +
                                              std::to_string(batch.first) + " is damaged");
    }
    std::uint64_t expected = batches.empty() ? after + 1 : batches.back().last + 1;
    if (batch.first != expected) {
      if (batches.empty()) {
        return Status(ErrorCode::kInvalidQuery,
                      "no batch starts at event " + std::to_string(after + 1));
      }
      return Status(ErrorCode::kInternal,
                    "the batch index has a gap before event " + std::to_string(batch.first));
    }
    if (batch.last > last) break;  // not yet visible (an append in progress)
    sequences.clear();
    for (std::uint64_t s = batch.first; s <= batch.last; ++s) sequences.push_back(s);
    auto read = ReadEvents(db_.get(), Family(ColumnFamily::kEvents), sequences);
    if (!read.ok()) return read.status();
    batch.events = std::move(read).value();
    for (const std::string& scope_key : scope_keys) {
      std::string value;
      rocksdb::Status found =
          db_->Get(rocksdb::ReadOptions(), Family(ColumnFamily::kIdempotency), scope_key, &value);
      if (found.IsNotFound()) continue;  // expired since
      if (!found.ok()) return StorageError("cannot read an idempotency record", found);
      IdempotencyRecord record;
      if (!DecodeIdempotencyRecord(scope_key, value, record)) {
        return Status(ErrorCode::kInternal, "a stored idempotency record is damaged");
      }
      batch.records.push_back(std::move(record));
    }
    events += batch.events.size();
    batches.push_back(std::move(batch));
  }
  if (!it->status().ok()) return StorageError("cannot read the batch index", it->status());
  // Events follow `after`, yet no batch index entry does: event after + 1 is inside the last
  // batch. (A batch becomes visible whole, so one past `last` never starts at after + 1.)
  if (batches.empty()) {
    return Status(ErrorCode::kInvalidQuery,
                  "no batch starts at event " + std::to_string(after + 1));
  }
  return batches;
}

}  // namespace flagledger

// Reading events by sequence in batches, for the log's queries (internal to events/).
#pragma once

#include <rocksdb/db.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace flagledger {
namespace internal {

// The JSON of the events with these sequences, in the same order: one RocksDB MultiGet (a
// pass over the files for the whole batch). kInternal when one is missing (an index names an
// event the log lacks), kUnavailable on a storage error. The caller holds the log's lock.
Result<std::vector<std::string>> ReadEvents(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events,
                                            std::span<const std::uint64_t> sequences);

}  // namespace internal
}  // namespace flagledger

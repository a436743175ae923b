#include "events/event_lookup.h"

#include "events/log_keys.h"
#include "events/log_status.h"

namespace flagledger {
namespace internal {

Result<std::vector<std::string>> ReadEvents(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events,
                                            std::span<const std::uint64_t> sequences) {
  std::vector<std::string> keys;
  keys.reserve(sequences.size());
  for (std::uint64_t sequence : sequences) keys.push_back(SequenceKey(sequence));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db->MultiGet(rocksdb::ReadOptions(), events, slices.size(), slices.data(), values.data(),
               statuses.data(), /*sorted_input=*/false);
  std::vector<std::string> found;
  found.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!statuses[i].ok()) {
      return statuses[i].IsNotFound()
                 ? Status(ErrorCode::kInternal,
                          "an index names the missing event " + std::to_string(sequences[i]))
                 : StorageError("cannot read an event", statuses[i]);
    }
    found.emplace_back(values[i].ToStringView());
  }
  return found;
}

}  // namespace internal
}  // namespace flagledger

#include "events/recent_batches.h"

#include <algorithm>

namespace flagledger {
namespace {

std::size_t BytesOf(const ReplicatedBatch& batch) {
  std::size_t bytes = 0;
  for (const std::string& event : batch.events) bytes += event.size();
  for (const IdempotencyRecord& record : batch.records) {
    bytes += record.request.size() + record.response.size();
  }
  return bytes;
}

}  // namespace

void RecentBatches::Add(std::shared_ptr<const ReplicatedBatch> batch) {
  if (max_bytes_ == 0) return;
  MutexLock lock(mutex_);
  if (!batches_.empty() && batches_.back()->last + 1 != batch->first) {
    batches_.clear();
    bytes_ = 0;
  }
  bytes_ += BytesOf(*batch);
  batches_.push_back(std::move(batch));
  while (batches_.size() > 1 && bytes_ > max_bytes_) {
    bytes_ -= BytesOf(*batches_.front());
    batches_.pop_front();
  }
}

bool RecentBatches::CopyFrom(std::uint64_t after, std::size_t max_events,
                             std::vector<ReplicatedBatch>& out) const {
  MutexLock lock(mutex_);
  if (batches_.empty() || after + 1 < batches_.front()->first || after >= batches_.back()->last) {
    return false;
  }
  // Consecutive: the batch starting at after + 1, if any, is found by its first sequence.
  auto start = std::lower_bound(batches_.begin(), batches_.end(), after + 1,
                                [](const std::shared_ptr<const ReplicatedBatch>& batch,
                                   std::uint64_t first) { return batch->first < first; });
  if (start == batches_.end() || (*start)->first != after + 1) return false;
  std::size_t events = 0;
  for (auto it = start; it != batches_.end() && (events == 0 || events < max_events); ++it) {
    out.push_back(**it);
    events += (*it)->events.size();
  }
  return true;
}

void RecentBatches::Clear() {
  MutexLock lock(mutex_);
  batches_.clear();
  bytes_ = 0;
}

}  // namespace flagledger

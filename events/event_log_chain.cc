// EventLog::Head and EventLog::CheckChain: the hash chain (events/event_chain.h).
#include <rocksdb/db.h>

#include <algorithm>
#include <charconv>
#include <deque>
#include <future>
#include <iterator>
#include <utility>
#include <vector>

#include "events/event_log.h"
#include "events/log_keys.h"
#include "events/log_status.h"

namespace flagledger {

using namespace internal;

namespace {

// The sequence an event's JSON names in its first member ({"sequence":N,...); 0 if none.
std::uint64_t SequenceMember(std::string_view json) {
  constexpr std::string_view kStart = "{\"sequence\":";
  if (!json.starts_with(kStart)) return 0;
  std::uint64_t sequence = 0;
  const char* first = json.data() + kStart.size();
  auto [end, error] = std::from_chars(first, json.data() + json.size(), sequence);
  if (error != std::errc() || end == json.data() + json.size() || *end != ',') return 0;
  return sequence;
}

}  // namespace

Result<ChainHead> EventLog::Head() const {
  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  ChainHead head;
  head.sequence = last_sequence();
  if (head.sequence == 0) return head;
  std::string json;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), Family(ColumnFamily::kEvents),
                                    SequenceKey(head.sequence), &json);
  if (!status.ok()) return StorageError("cannot read the newest event", status);
  SealedEvent sealed;
  if (!SplitSealedEvent(json, sealed)) {
    return Status(ErrorCode::kInternal,
                  "event " + std::to_string(head.sequence) + " carries no chain hash");
  }
  head.hash.assign(sealed.hash);
  return head;
}

namespace {

// Events read in order, handed to a helper thread to check: one contiguous buffer.
struct ChainBatch {
  ChainHead before;  // the event before the batch's first, with the hash it carries
  std::vector<std::uint64_t> sequences;
  std::vector<std::size_t> ends;  // event i is bytes[ends[i - 1], ends[i])
  std::string bytes;
};

using ChainProblems = std::vector<std::pair<std::uint64_t, std::string>>;

// Each event of `batch` against its content and the event before it (sequence gaps are the
// reader's to report).
ChainProblems CheckChainBatch(const ChainBatch& batch) {
  ChainProblems problems;
  ChainHead previous = batch.before;
  std::size_t begin = 0;
  for (std::size_t i = 0; i < batch.sequences.size(); ++i) {
    const std::uint64_t sequence = batch.sequences[i];
    std::string_view json(batch.bytes.data() + begin, batch.ends[i] - begin);
    begin = batch.ends[i];
    std::uint64_t named = SequenceMember(json);
    if (named != sequence) {
      problems.emplace_back(sequence, "stored as event " + std::to_string(sequence) +
                                          " but says it is event " + std::to_string(named));
    }
    SealedEvent sealed;
    if (!SplitSealedEvent(json, sealed)) {
      problems.emplace_back(sequence, "carries no chain hash");
      previous = ChainHead{sequence, std::string(kGenesisHash)};
      continue;
    }
    if (sequence == previous.sequence + 1 && sealed.previous_hash != previous.hash) {
      problems.emplace_back(sequence, "its previous_hash is not the hash of event " +
                                          std::to_string(previous.sequence) +
                                          ": an event before it was changed, removed or inserted");
    }
    if (ChainHash(sealed) != sealed.hash) {
      problems.emplace_back(sequence, "its content does not match its hash: the event was changed");
    }
    previous.sequence = sequence;
    previous.hash.assign(sealed.hash);
  }
  return problems;
}

}  // namespace

Result<ChainHead> EventLog::CheckChain(const std::function<void(const std::string&)>& problem,
                                       std::size_t max_problems) const {
  // This thread reads; helper threads hash, at most kInFlight batches at once. Problems are
  // reported at the end, in sequence order.
  constexpr std::size_t kBatchEvents = 4096;
  constexpr std::size_t kInFlight = 2;
  ChainProblems found;
  std::deque<std::future<ChainProblems>> checking;
  auto collect_oldest = [&] {
    ChainProblems problems = checking.front().get();
    checking.pop_front();
    found.insert(found.end(), std::make_move_iterator(problems.begin()),
                 std::make_move_iterator(problems.end()));
  };
  ChainHead head;  // the last event read, with the hash it carries (genesis if it has none)
  ChainBatch batch;
  auto dispatch = [&] {
    if (batch.sequences.empty()) return;
    if (checking.size() == kInFlight) collect_oldest();
    std::string_view last(batch.bytes.data() + (batch.ends.size() > 1 ? batch.ends.end()[-2] : 0),
                          batch.bytes.size() - (batch.ends.size() > 1 ? batch.ends.end()[-2] : 0));
    SealedEvent sealed;
    ChainHead next{batch.sequences.back(), std::string(kGenesisHash)};
    if (SplitSealedEvent(last, sealed)) next.hash.assign(sealed.hash);
    checking.push_back(std::async(std::launch::async,
                                  [moved = std::move(batch)] { return CheckChainBatch(moved); }));
    head = std::move(next);
    batch = ChainBatch();
    batch.before = head;
    batch.sequences.reserve(kBatchEvents);
    batch.ends.reserve(kBatchEvents);
    batch.bytes.reserve(kBatchEvents * 1024);
  };

  ReaderMutexLock shared(db_mutex_);
  if (!db_) return LogClosed();
  const std::uint64_t last = last_sequence();
  std::string end = SequenceKey(last + 1);
  rocksdb::Slice upper_bound(end);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(read_options, Family(ColumnFamily::kEvents)));
  std::uint64_t expected = 1;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::uint64_t sequence = ReadBigEndian(it->key().ToStringView());
    if (sequence != expected) {
      found.emplace_back(expected, sequence == expected + 1 ? "missing"
                                                            : "missing, and the events up to " +
                                                                  std::to_string(sequence - 1));
    }
    expected = sequence + 1;
    batch.sequences.push_back(sequence);
    batch.bytes.append(it->value().data(), it->value().size());
    batch.ends.push_back(batch.bytes.size());
    if (batch.sequences.size() == kBatchEvents) dispatch();
  }
  dispatch();
  while (!checking.empty()) collect_oldest();
  if (!it->status().ok()) return StorageError("cannot read the event log", it->status());
  if (head.sequence != last) {
    found.emplace_back(last, "missing (the log's tail is event " + std::to_string(last) + ")");
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < found.size() && i < max_problems; ++i) {
    problem("event " + std::to_string(found[i].first) + ": " + found[i].second);
  }
  return head;
}

}  // namespace flagledger

// The write path and the current state: commands in, events appended, snapshots published.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/histogram.h"
#include "core/status.h"
#include "core/thread_annotations.h"
#include "events/event_log.h"
#include "projections/command.h"
#include "projections/flag_record.h"
#include "projections/projection_snapshot.h"
#include "projections/snapshot_store.h"
#include "projections/snapshot_writer.h"
#include "projections/token_table.h"

namespace flagledger {

using WriteCallback = std::function<void(WriteOutcome)>;

// Counters of the writer since start; read from any thread.
struct WriterStats {
  std::uint64_t batches = 0;   // appends to the log (one WriteBatch and sync each)
  std::uint64_t commands = 0;  // commands answered
  std::uint64_t events = 0;    // events appended
};

struct FlagStoreOptions {
  std::size_t max_batch = 1024;    // commands per WriteBatch
  std::size_t max_queued = 16384;  // more waiting commands are refused with kUnavailable
  // Group commit delay: while writes are concurrent (the previous batch held more than one
  // command), a batch waits up to this long after its first command until as many commands as
  // the previous batch held have arrived, so they share one append and sync; a lone writer is
  // never delayed. Zero: every batch starts at once. Trades write latency for fewer syncs and
  // writer wake-ups, which leaves more CPU to the reads.
  std::chrono::microseconds commit_delay{0};
  // Where snapshots go (null: none), and how many events apart they are written.
  SnapshotStore* snapshots = nullptr;
  std::uint64_t snapshot_every = 50'000;
  // How long an Idempotency-Key is remembered (docs/api.md, "Concurrency and retries").
  std::chrono::microseconds idempotency_ttl = std::chrono::hours(24);
  // Told of every storage failure and rejected snapshot (the caller logs them). May be empty.
  std::function<void(std::string_view what, const Status&)> on_problem;
  // Called on the writer thread after each batch that appended events was published (live
  // change streams wake up on it). Must not block. May be empty.
  std::function<void()> on_published;
  // A read replica: Submit refuses every command with kReadOnlyReplica, and the state changes
  // only through ApplyReplicated (the leader's batches). A cluster's node changes it with
  // SetFollower as it loses or wins the writer's role.
  bool follower = false;
};

// One writer thread gathers queued commands into batches (group commit): each command is
// decided against the projection including the batch's earlier commands, the batch's events
// (and the answers to store for Idempotency-Keys) are appended in one WriteBatch (synced per
// the log's options), then folded into a new snapshot that is published atomically, and only
// then are the callbacks run. A failed append answers every command of the batch with
// kUnavailable and applies nothing.
// Readers call snapshot() from any thread and never wait for the writer.
class FlagStore {
 public:
  // REQUIRES: `log` and `clock` outlive the store.
  FlagStore(EventLog& log, const Clock& clock, FlagStoreOptions options = {});
  ~FlagStore();  // Stop()s
  FlagStore(const FlagStore&) = delete;
  FlagStore& operator=(const FlagStore&) = delete;

  // Loads the newest valid snapshot, replays the log after it, then starts the writer.
  // Blocking; call once. Until it returns OK, ready() is false and writes are refused.
  Status Start() EXCLUDES(mutex_);
  bool ready() const { return ready_.load(std::memory_order_acquire); }

  // The clock events are stamped with; also "now" for evaluations.
  const Clock& clock() const { return clock_; }

  // The log the store writes; for reads of history and past states.
  const EventLog& log() const { return log_; }

  // The newest published state. Never null.
  std::shared_ptr<const ProjectionSnapshot> snapshot() const {
    return snapshot_.load(std::memory_order_acquire);
  }

  // The API tokens as of the newest published state. Never null.
  std::shared_ptr<const TokenTable> tokens() const {
    return tokens_.load(std::memory_order_acquire);
  }

  // The same tokens, read under a mutex: for a reader on a thread that does not otherwise
  // synchronize with the writer (such as the server's sweep). libstdc++ 12's atomic<shared_ptr>
  // load releases its lock with a relaxed store, so a load there followed by the writer's next
  // store is a data race by the memory model (and ThreadSanitizer reports it).
  std::shared_ptr<const TokenTable> tokens_locked() const EXCLUDES(tokens_mutex_) {
    MutexLock lock(tokens_mutex_);
    return tokens_copy_;
  }

  // Queues `command` (a flag or a token command). `done` runs exactly once: on the writer thread
  // after the batch is durable (or failed), or at once with kUnavailable when the store is not
  // ready, stopping, or full. A 503 outcome means nothing of the command was applied.
  void Submit(Command command, CommandContext context, WriteCallback done) EXCLUDES(mutex_);

  // A follower's write path: appends its leader's batch exactly as stored (nothing when it
  // does not follow the log: kInternal), then folds and publishes it as the writer does its
  // own, tokens included, and calls on_published. Call from one thread, after Start, only
  // while the store is a follower (its writer thread then appends nothing of its own).
  // Consecutive batches may come together: one append and one publish for all. Leading
  // batches the log already holds (a cluster's node that was the writer holds its own) are
  // skipped once their last event is found equal to the stored one.
  Status ApplyReplicated(std::span<const ReplicatedBatch> batches);
  // Makes this store a follower (Submit refuses commands, whichever are queued are still
  // decided, and their appends are refused by the log's gate) or a writer again. A writer must
  // first have applied everything its cluster committed. Thread-safe.
  void SetFollower(bool follower) { follower_.store(follower, std::memory_order_release); }
  bool follower() const { return follower_.load(std::memory_order_acquire); }
  // A follower's empty log takes its leader's log id (EventLog::AdoptLogId).
  Status AdoptLogId(const std::string& log_id) { return log_.AdoptLogId(log_id); }
  // Refuses new commands, finishes the queued ones and joins the writer. Idempotent.
  void Stop() EXCLUDES(mutex_);

  // Seconds per log append (one WriteBatch, synced per the log's options), and events per
  // appended batch.
  const Histogram& append_seconds() const { return append_seconds_; }
  const Histogram& batch_events() const { return batch_events_; }

  // Batches stamped with the newest event's time because the wall clock read earlier.
  std::uint64_t clock_behind_batches() const {
    return clock_behind_batches_.load(std::memory_order_relaxed);
  }

  WriterStats stats() const {
    return {batches_.load(std::memory_order_relaxed), commands_.load(std::memory_order_relaxed),
            events_.load(std::memory_order_relaxed)};
  }

 private:
  struct Pending {
    Command command;
    CommandContext context;
    WriteCallback done;
  };
  // What a batch decided so far: its events, the answers to store, every command's outcome,
  // and the flags and tokens as its earlier commands left them (flag_store.cc).
  struct BatchDraft;
  struct FlagDraft;

  void RunWriter() EXCLUDES(mutex_);
  // Takes the next batch off the queue, waiting for it; false once stopping and drained.
  bool NextBatch(std::vector<Pending>& batch, std::size_t previous_batch) EXCLUDES(mutex_);
  // The batch's steps: decide every command (answered from a stored answer, a token command, or
  // a flag command), append the events and stored answers in one WriteBatch, then publish the
  // new state and answer. A storage failure in any step answers the whole batch with 503.
  void ProcessBatch(std::vector<Pending>& batch);
  // A retry of an Idempotency-Key gets the stored answer, a reuse 422: true when answered so.
  Result<bool> AnswerFromStoredResponse(const Command& command, BatchDraft& draft,
                                        WriteOutcome& outcome);
  void DecideTokenCommand(const Pending& pending, BatchDraft& draft, WriteOutcome& outcome);
  Status DecideFlagCommand(const Pending& pending, BatchDraft& draft, WriteOutcome& outcome);
  // A restore is a revert of every flag live now or at its point, all decided before any is
  // added to the batch: one failure adds none of them.
  Status DecideRestoreCommand(const Pending& pending, BatchDraft& draft, WriteOutcome& outcome);
  // The flag as the batch has left it so far, read from the published state (and the log for
  // the version of an absent key) the first time the batch touches it.
  Result<FlagDraft*> DraftOf(BatchDraft& draft, const std::string& organization_id,
                             std::string_view flag_key);
  // Adds a decided event to the batch, moving `flag` on and answering it in `outcome`.
  void AddEvent(BatchDraft& draft, FlagDraft& flag, Event event, WriteOutcome& outcome);
  void StoreResponse(const Command& command, BatchDraft& draft, const WriteOutcome& outcome);
  Status AppendBatch(BatchDraft& draft);
  void PublishBatch(BatchDraft& draft, std::vector<Pending>& batch);
  void FailBatch(std::vector<Pending>& batch, const Status& failure);

  // A snapshot intact past the log's end means events are missing: kInternal.
  Status CheckNoSnapshotPastTheLog() const;
  // The batch's time: the wall clock, or the newest event's time when the clock is behind.
  Timestamp StampTime();
  void ExpireIdempotencyRecords(Timestamp now);
  void Publish(std::shared_ptr<const ProjectionSnapshot> snapshot);
  void Report(std::string_view what, const Status& status) const {
    if (options_.on_problem) options_.on_problem(what, status);
  }

  EventLog& log_;
  const Clock& clock_;
  FlagStoreOptions options_;
  Histogram append_seconds_, batch_events_;
  std::atomic<std::shared_ptr<const ProjectionSnapshot>> snapshot_;
  std::atomic<std::shared_ptr<const TokenTable>> tokens_;
  // What tokens_ holds, for tokens_locked(); written with it.
  mutable Mutex tokens_mutex_;
  std::shared_ptr<const TokenTable> tokens_copy_ GUARDED_BY(tokens_mutex_);
  void PublishTokens(std::shared_ptr<const TokenTable> tokens) EXCLUDES(tokens_mutex_);
  std::atomic<bool> ready_{false};
  std::atomic<bool> follower_;
  // Held by ProcessBatch and ApplyReplicated: a node that changes role never has its writer
  // and its follower appending at once.
  Mutex apply_mutex_;
  std::atomic<std::uint64_t> batches_{0}, commands_{0}, events_{0};

  Mutex mutex_;
  std::condition_variable_any queue_changed_;
  std::vector<Pending> queue_ GUARDED_BY(mutex_);
  // Submit wakes the writer when the queue reaches this size.
  std::size_t wake_writer_at_ GUARDED_BY(mutex_) = 1;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread writer_;

  std::unique_ptr<SnapshotWriter> snapshot_writer_;              // null without options_.snapshots
  std::uint64_t last_snapshot_sequence_ = 0;                     // writer thread only
  Timestamp last_idempotency_sweep_;                             // writer thread only
  bool clock_behind_ = false;                                    // writer thread only
  std::chrono::steady_clock::time_point last_failure_report_{};  // writer thread only
  std::atomic<std::uint64_t> clock_behind_batches_{0};
};

}  // namespace flagledger

#include "projections/flag_store.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "projections/decide.h"
#include "projections/projection_builder.h"
#include "projections/rebuild.h"

namespace flagledger {
namespace {

constexpr double kAppendSecondsBounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                           0.01,   0.025,   0.05,   0.1,   0.25,   1};
constexpr double kBatchEventsBounds[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

Status Unavailable(std::string detail) {
  return Status(ErrorCode::kUnavailable, std::move(detail));
}

}  // namespace

FlagStore::FlagStore(EventLog& log, const Clock& clock, FlagStoreOptions options)
    : log_(log),
      clock_(clock),
      options_(std::move(options)),
      append_seconds_(kAppendSecondsBounds),
      batch_events_(kBatchEventsBounds),
      snapshot_(std::make_shared<const ProjectionSnapshot>()),
      tokens_(std::make_shared<const TokenTable>()) {}

FlagStore::~FlagStore() { Stop(); }

Status FlagStore::Start() {
  std::shared_ptr<const ProjectionSnapshot> base;
  if (options_.snapshots) {
    base = options_.snapshots->LoadNewest(log_.last_sequence(), [this](const std::string& why) {
      Report("snapshot ignored", Status(ErrorCode::kInternal, why));
    });
  }
  last_snapshot_sequence_ = base ? base->sequence : 0;
  auto rebuilt = RebuildProjection(log_, std::move(base));
  if (!rebuilt.ok()) return rebuilt.status();
  auto tokens = LoadTokenTable(log_);
  if (!tokens.ok()) return tokens.status();
  tokens_.store(std::make_shared<const TokenTable>(std::move(tokens).value()),
                std::memory_order_release);
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Unavailable("the store is stopping");
    if (options_.snapshots) snapshotter_ = std::thread([this] { RunSnapshotter(); });
    Publish(std::move(rebuilt).value());
    writer_ = std::thread([this] { RunWriter(); });
  }
  ready_.store(true, std::memory_order_release);
  return Status::Ok();
}

void FlagStore::Publish(std::shared_ptr<const ProjectionSnapshot> snapshot) {
  bool due = options_.snapshots && options_.snapshot_every > 0 &&
             snapshot->sequence >= last_snapshot_sequence_ + options_.snapshot_every;
  if (due) {
    last_snapshot_sequence_ = snapshot->sequence;
    {
      std::lock_guard lock(snapshot_mutex_);
      snapshot_request_ = snapshot;  // a pending older request is superseded
    }
    snapshot_requested_.notify_one();
  }
  snapshot_.store(std::move(snapshot), std::memory_order_release);
}

void FlagStore::RunSnapshotter() {
  while (true) {
    std::shared_ptr<const ProjectionSnapshot> request;
    {
      std::unique_lock lock(snapshot_mutex_);
      snapshot_requested_.wait(lock, [this] { return snapshotter_stopping_ || snapshot_request_; });
      if (!snapshot_request_) return;
      request = std::move(snapshot_request_);
    }
    Status written = options_.snapshots->Write(*request);
    if (!written.ok()) Report("snapshot write failed", written);
  }
}

void FlagStore::Submit(Command command, CommandContext context, WriteCallback done) {
  Status refused;
  bool wake_writer = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || !ready()) {
      refused = Unavailable(stopping_ ? "the server is shutting down"
                                      : "the server is still loading its data");
    } else if (queue_.size() >= options_.max_queued) {
      refused = Unavailable("too many writes are waiting; retry later");
    } else {
      queue_.push_back({std::move(command), std::move(context), std::move(done)});
      wake_writer = queue_.size() == wake_writer_at_;
    }
  }
  if (!refused.ok()) {
    done(WriteOutcome{std::move(refused), nullptr, std::nullopt});
    return;
  }
  if (wake_writer) queue_changed_.notify_one();
}

void FlagStore::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queue_changed_.notify_one();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard lock(snapshot_mutex_);
    snapshotter_stopping_ = true;  // a requested snapshot is still written first
  }
  snapshot_requested_.notify_one();
  if (snapshotter_.joinable()) snapshotter_.join();
  ready_.store(false, std::memory_order_release);
}

void FlagStore::RunWriter() {
  std::vector<Pending> batch;
  std::size_t previous_batch = 0;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_writer_at_ = 1;
      queue_changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued command is answered
      // Several writers are at work when the previous batch held more than one command (a
      // lone writer's next command may arrive before this loop comes round, so a non-empty
      // queue is no sign). Then, with a commit delay, the batch waits until as many commands
      // as the previous one held have arrived, but no longer than the delay.
      if (previous_batch > 1 && options_.commit_delay.count() > 0) {
        std::size_t expected = std::min(previous_batch, options_.max_batch);
        wake_writer_at_ = expected;
        queue_changed_.wait_for(lock, options_.commit_delay, [this, expected] {
          return stopping_ || queue_.size() >= expected;
        });
      }
      std::size_t take = std::min(queue_.size(), options_.max_batch);
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + take));
      queue_.erase(queue_.begin(), queue_.begin() + take);
    }
    previous_batch = batch.size();
    ProcessBatch(batch);
    batch.clear();
  }
}

// A flag as this batch has left it so far.
struct FlagStore::Draft {
  std::shared_ptr<const FlagRecord> record;  // null: absent
  std::uint64_t version = 0;                 // of the key's stream, also after a delete
};

void FlagStore::ProcessBatch(std::vector<Pending>& batch) {
  std::shared_ptr<const ProjectionSnapshot> base = snapshot();
  Timestamp now = std::max(clock_.Now(), log_.last_recorded_at());

  std::vector<Event> events;
  std::vector<std::shared_ptr<const FlagRecord>> records;  // after each event
  std::vector<IdempotencyRecord> idempotency_records;
  std::vector<WriteOutcome> outcomes(batch.size());
  std::map<std::string, Draft> drafts;  // organization '\0' flag key -> state in this batch
  std::map<std::string, std::size_t> remembered;  // scope key -> this batch's stored answer
  std::shared_ptr<TokenTable> token_draft;  // the tokens as this batch leaves them, once touched
  Status storage_failure = log_.EnsureWritable();  // recovers from an earlier failed write
  if (storage_failure.ok()) ExpireIdempotencyRecords(now);

  for (std::size_t i = 0; i < batch.size() && storage_failure.ok(); ++i) {
    const Command& command = batch[i].command;
    WriteOutcome& outcome = outcomes[i];

    if (command.idempotency) {  // a retry gets the first answer, a reuse gets 422
      const IdempotencyRequest& request = *command.idempotency;
      std::optional<IdempotencyRecord> stored;
      if (auto it = remembered.find(request.scope_key); it != remembered.end()) {
        stored = idempotency_records[it->second];
      } else {
        auto found = log_.FindIdempotencyRecord(request.scope_key);
        if (!found.ok()) {
          storage_failure = found.status();
          break;
        }
        stored = std::move(*found);
      }
      if (stored && stored->created_at.micros() + options_.idempotency_ttl.count() > now.micros()) {
        if (stored->request == request.request) {
          outcome.replayed_response = stored->response;
        } else {
          outcome.status = Status(ErrorCode::kIdempotencyKeyReused,
                                  "this Idempotency-Key was used for a different request");
        }
        continue;
      }
    }

    if (IsTokenCommand(command)) {
      if (!token_draft) token_draft = std::make_shared<TokenTable>(*tokens());
      auto decision = DecideToken(command, *token_draft, now, batch[i].context);
      if (!decision.ok()) {
        outcome.status = decision.status();
      } else if (decision->has_value()) {
        Event& event = events.emplace_back(std::move(**decision));
        token_draft->Apply(event);
        records.push_back(nullptr);
      }
      continue;
    }

    std::string identity = command.organization_id + '\0' + command.flag_key;
    auto draft = drafts.find(identity);
    if (draft == drafts.end()) {
      Draft initial;
      if (const OrgState* org = base->FindOrganization(command.organization_id)) {
        initial.record = org->FindShared(command.flag_key);
      }
      if (initial.record) {
        initial.version = initial.record->version;
      } else {
        auto last = log_.LastVersion(command.organization_id, command.flag_key);
        if (!last.ok()) {
          storage_failure = last.status();
          break;
        }
        initial.version = *last;
      }
      draft = drafts.emplace(identity, std::move(initial)).first;
    }
    const Flag* current = draft->second.record ? &draft->second.record->flag : nullptr;
    auto decision = Decide(command, current, draft->second.version, now, batch[i].context);
    if (!decision.ok()) {
      outcome.status = decision.status();
    } else if (!decision->has_value()) {
      outcome.record = draft->second.record;  // changes nothing: the current state
    } else {
      Event& event = events.emplace_back(std::move(**decision));
      draft->second.version = event.version;
      draft->second.record = event.flag ? MakeFlagRecord(*event.flag, event.version) : nullptr;
      records.push_back(draft->second.record);
      outcome.record = draft->second.record;
    }
    if (command.idempotency) {
      remembered[command.idempotency->scope_key] = idempotency_records.size();
      IdempotencyRecord& stored = idempotency_records.emplace_back();
      stored.scope_key = command.idempotency->scope_key;
      stored.created_at = now;
      stored.request = command.idempotency->request;
      stored.response = command.idempotency->render(outcome);
    }
  }

  // Append, then apply: a failed append applies nothing and fails the whole batch.
  if (storage_failure.ok() && (!events.empty() || !idempotency_records.empty())) {
    std::vector<std::uint64_t> decided_versions;
    for (const Event& event : events) decided_versions.push_back(event.version);
    auto append_started = std::chrono::steady_clock::now();
    storage_failure = log_.Append(events, idempotency_records);
    append_seconds_.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - append_started).count());
    batch_events_.Observe(static_cast<double>(events.size()));
    for (std::size_t e = 0; storage_failure.ok() && e < events.size(); ++e) {
      if (events[e].version != decided_versions[e]) {
        storage_failure =
            Status(ErrorCode::kInternal, "the log and the projection disagree on a version");
      }
    }
  }
  if (!storage_failure.ok()) {
    Report("storage write failed", storage_failure);
    for (Pending& pending : batch) {
      pending.done(WriteOutcome{Unavailable("storage is unavailable; nothing was written"), nullptr,
                                std::nullopt});
    }
    return;
  }
  if (!events.empty() || !idempotency_records.empty())
    batches_.fetch_add(1, std::memory_order_relaxed);
  events_.fetch_add(events.size(), std::memory_order_relaxed);
  commands_.fetch_add(batch.size(), std::memory_order_relaxed);
  if (token_draft) tokens_.store(std::move(token_draft), std::memory_order_release);
  if (!events.empty()) {
    ProjectionBuilder builder(base);
    for (std::size_t e = 0; e < events.size(); ++e) builder.Apply(events[e], records[e]);
    Publish(builder.Build());
  }
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(outcomes[i]));
  if (!events.empty() && options_.on_published) options_.on_published();
}

void FlagStore::ExpireIdempotencyRecords(Timestamp now) {
  // At most once a minute and a bounded amount, so that a wave of expiries never stalls
  // writes; a record past its time is ignored by lookups until it is swept.
  constexpr std::int64_t kSweepEveryMicros = 60'000'000;
  constexpr std::size_t kSweepAtMost = 10'000;
  if (now.micros() - last_idempotency_sweep_.micros() < kSweepEveryMicros) return;
  last_idempotency_sweep_ = now;
  auto expired = log_.DeleteIdempotencyRecordsBefore(
      Timestamp::FromMicros(now.micros() - options_.idempotency_ttl.count()), kSweepAtMost);
  if (!expired.ok()) Report("idempotency records not expired", expired.status());
}

}  // namespace flagledger

#include "projections/flag_store.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "events/event_codec.h"
#include "projections/decide.h"
#include "projections/point_in_time.h"
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
      tokens_(std::make_shared<const TokenTable>()),
      tokens_copy_(tokens_.load()),
      follower_(options_.follower) {}

FlagStore::~FlagStore() { Stop(); }

void FlagStore::PublishTokens(std::shared_ptr<const TokenTable> tokens) {
  {
    MutexLock lock(tokens_mutex_);
    tokens_copy_ = tokens;
  }
  tokens_.store(std::move(tokens), std::memory_order_release);
}

Status FlagStore::Start() {
  Status whole = CheckNoSnapshotPastTheLog();
  if (!whole.ok()) return whole;
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
  PublishTokens(std::make_shared<const TokenTable>(std::move(tokens).value()));
  {
    MutexLock lock(mutex_);
    if (stopping_) return Unavailable("the store is stopping");
    if (options_.snapshots) {
      snapshot_writer_ = std::make_unique<SnapshotWriter>(
          *options_.snapshots,
          [this](std::string_view what, const Status& status) { Report(what, status); });
    }
    Publish(std::move(rebuilt).value());
    writer_ = std::thread([this] { RunWriter(); });
  }
  ready_.store(true, std::memory_order_release);
  return Status::Ok();
}

Status FlagStore::CheckNoSnapshotPastTheLog() const {
  if (!options_.snapshots) return Status::Ok();
  std::uint64_t last = log_.last_sequence();
  for (const SnapshotStore::Entry& entry : options_.snapshots->List()) {
    if (entry.sequence <= last) break;
    // A snapshot is written only after its events were appended: an intact one past the end
    // proves that acknowledged events are gone, and serving writes would give their
    // sequences to new events. (A damaged one proves nothing and is passed over.)
    if (options_.snapshots->Read(entry).ok()) {
      return Status(ErrorCode::kInternal,
                    "the event log ends at sequence " + std::to_string(last) + " but " +
                        entry.path + " holds the state after event " +
                        std::to_string(entry.sequence) +
                        ": acknowledged events are missing from the log; refusing to serve "
                        "(run `flagledger verify`, then restore a backup: README, Operations)");
    }
  }
  return Status::Ok();
}

void FlagStore::Publish(std::shared_ptr<const ProjectionSnapshot> snapshot) {
  bool due = snapshot_writer_ && options_.snapshot_every > 0 &&
             snapshot->sequence >= last_snapshot_sequence_ + options_.snapshot_every;
  if (due) {
    last_snapshot_sequence_ = snapshot->sequence;
    snapshot_writer_->Request(snapshot);
  }
  snapshot_.store(std::move(snapshot), std::memory_order_release);
}

void FlagStore::Submit(Command command, CommandContext context, WriteCallback done) {
  Status refused;
  bool wake_writer = false;
  {
    MutexLock lock(mutex_);
    if (follower()) {
      refused = Status(ErrorCode::kReadOnlyReplica,
                       "this server is a read replica; send writes to its leader");
    } else if (stopping_ || !ready()) {
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
    WriteOutcome outcome;
    outcome.status = std::move(refused);
    // `done` was moved from only when queued, and then `refused` is OK.
    // NOLINTNEXTLINE(bugprone-use-after-move)
    done(std::move(outcome));
    return;
  }
  if (wake_writer) queue_changed_.notify_one();
}

Status FlagStore::ApplyReplicated(std::span<const ReplicatedBatch> batches) {
  if (!ready()) return Unavailable("the server is still loading its data");
  MutexLock apply(apply_mutex_);
  // A cluster's node that was the writer a moment ago holds its own last batches already.
  const std::uint64_t held = log_.last_sequence();
  while (!batches.empty() && batches.front().last <= held) {
    const ReplicatedBatch& known = batches.front();
    const std::uint64_t last = known.last;
    auto stored = log_.EventsAt(std::span<const std::uint64_t>(&last, 1));
    if (!stored.ok()) return stored.status();
    if (stored->front() != known.events.back()) {
      return Status(ErrorCode::kInternal, "event " + std::to_string(last) +
                                              " of the replicated batch differs from this log's");
    }
    batches = batches.subspan(1);
  }
  if (batches.empty()) return Status::Ok();
  auto append_started = std::chrono::steady_clock::now();
  std::vector<Event> events;
  Status appended = log_.AppendReplicated(batches, &events);
  append_seconds_.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - append_started).count());
  if (!appended.ok()) return appended;
  for (const ReplicatedBatch& batch : batches) {
    batch_events_.Observe(static_cast<double>(batch.events.size()));
  }
  const std::size_t appended_events = events.size();
  // The bulk fold: a flag changed several times in these batches is rendered once, in Build.
  ProjectionBuilder builder(snapshot());
  std::shared_ptr<TokenTable> tokens;
  for (Event& event : events) {
    if (IsTokenEvent(event.type)) {
      if (!tokens) tokens = std::make_shared<TokenTable>(*this->tokens());
      tokens->Apply(event);
    }
    builder.Fold(std::move(event));  // a token event too: the snapshot's sequence moves on
  }
  if (tokens) PublishTokens(std::move(tokens));
  Publish(builder.Build());
  batches_.fetch_add(batches.size(), std::memory_order_relaxed);
  events_.fetch_add(appended_events, std::memory_order_relaxed);
  if (options_.on_published) options_.on_published();
  return Status::Ok();
}

void FlagStore::Stop() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  queue_changed_.notify_one();
  if (writer_.joinable()) writer_.join();
  if (snapshot_writer_) snapshot_writer_->Stop();  // a requested snapshot is still written
  ready_.store(false, std::memory_order_release);
}

void FlagStore::RunWriter() {
  std::vector<Pending> batch;
  std::size_t previous_batch = 0;
  while (NextBatch(batch, previous_batch)) {
    previous_batch = batch.size();
    ProcessBatch(batch);
    batch.clear();
  }
}

bool FlagStore::NextBatch(std::vector<Pending>& batch, std::size_t previous_batch) {
  MutexLock lock(mutex_);
  wake_writer_at_ = 1;
  queue_changed_.wait(mutex_, [this]() REQUIRES(mutex_) { return stopping_ || !queue_.empty(); });
  if (queue_.empty()) return false;  // stopping, and every queued command is answered
  // Several writers are at work when the previous batch held more than one command (a lone
  // writer's next command may arrive before this loop comes round, so a non-empty queue is no
  // sign). Then, with a commit delay, the batch waits until as many commands as the previous
  // one held have arrived, but no longer than the delay.
  if (previous_batch > 1 && options_.commit_delay.count() > 0) {
    std::size_t expected = std::min(previous_batch, options_.max_batch);
    wake_writer_at_ = expected;
    queue_changed_.wait_for(mutex_, options_.commit_delay, [this, expected]() REQUIRES(mutex_) {
      return stopping_ || queue_.size() >= expected;
    });
  }
  std::size_t take = std::min(queue_.size(), options_.max_batch);
  batch.assign(std::make_move_iterator(queue_.begin()),
               std::make_move_iterator(queue_.begin() + take));
  queue_.erase(queue_.begin(), queue_.begin() + take);
  return true;
}

// A flag as this batch has left it so far.
struct FlagStore::FlagDraft {
  std::shared_ptr<const FlagRecord> record;  // null: absent
  std::uint64_t version = 0;                 // of the key's stream, also after a delete
};

struct FlagStore::BatchDraft {
  std::shared_ptr<const ProjectionSnapshot> base;
  Timestamp now;
  std::uint64_t first_sequence = 0;  // the sequence Append will give the batch's first event
  std::vector<Event> events;
  std::vector<std::shared_ptr<const FlagRecord>> records;  // after each event
  std::vector<IdempotencyRecord> idempotency_records;
  std::vector<WriteOutcome> outcomes;
  std::map<std::string, FlagDraft> flags;         // organization '\0' flag key -> state
  std::map<std::string, std::size_t> remembered;  // scope key -> this batch's stored answer
  std::shared_ptr<TokenTable> tokens;  // the tokens as this batch leaves them, once touched
};

void FlagStore::ProcessBatch(std::vector<Pending>& batch) {
  MutexLock apply(apply_mutex_);
  // Queued while this node was a cluster's writer, taken after it stopped being one.
  if (follower()) {
    return FailBatch(batch, Status(ErrorCode::kReadOnlyReplica,
                                   "this node is no longer its cluster's writer; nothing was "
                                   "written"));
  }
  BatchDraft draft;
  draft.base = snapshot();
  draft.now = StampTime();
  draft.outcomes.resize(batch.size());
  draft.first_sequence = log_.last_sequence() + 1;
  Status storage = log_.EnsureWritable();  // recovers from an earlier failed write
  if (storage.ok()) ExpireIdempotencyRecords(draft.now);
  for (std::size_t i = 0; i < batch.size() && storage.ok(); ++i) {
    const Command& command = batch[i].command;
    WriteOutcome& outcome = draft.outcomes[i];
    auto answered = AnswerFromStoredResponse(command, draft, outcome);
    if (!answered.ok()) {
      storage = answered.status();
    } else if (*answered) {
      continue;
    } else if (IsTokenCommand(command)) {
      DecideTokenCommand(batch[i], draft, outcome);
    } else {
      storage = std::holds_alternative<RestoreOrganization>(command.action)
                    ? DecideRestoreCommand(batch[i], draft, outcome)
                    : DecideFlagCommand(batch[i], draft, outcome);
      // A command that appended nothing reflects the state it was decided against.
      if (outcome.status.ok() && outcome.sequence == 0) {
        outcome.sequence = draft.first_sequence + draft.events.size() - 1;
      }
      if (storage.ok()) StoreResponse(command, draft, outcome);
    }
  }
  if (storage.ok()) storage = AppendBatch(draft);
  if (!storage.ok()) return FailBatch(batch, storage);
  PublishBatch(draft, batch);
}

Result<bool> FlagStore::AnswerFromStoredResponse(const Command& command, BatchDraft& draft,
                                                 WriteOutcome& outcome) {
  if (!command.idempotency) return false;
  const IdempotencyRequest& request = *command.idempotency;
  std::optional<IdempotencyRecord> stored;
  if (auto it = draft.remembered.find(request.scope_key); it != draft.remembered.end()) {
    stored = draft.idempotency_records[it->second];
  } else {
    auto found = log_.FindIdempotencyRecord(request.scope_key);
    if (!found.ok()) return found.status();
    stored = std::move(*found);
  }
  bool live =
      stored && stored->created_at.micros() + options_.idempotency_ttl.count() > draft.now.micros();
  if (!live) return false;
  if (stored->request == request.request) {
    outcome.replayed_response = stored->response;
  } else {
    outcome.status = Status(ErrorCode::kIdempotencyKeyReused,
                            "this Idempotency-Key was used for a different request");
  }
  return true;
}

void FlagStore::DecideTokenCommand(const Pending& pending, BatchDraft& draft,
                                   WriteOutcome& outcome) {
  if (!draft.tokens) draft.tokens = std::make_shared<TokenTable>(*tokens());
  auto decision = DecideToken(pending.command, *draft.tokens, draft.now, pending.context);
  if (!decision.ok()) {
    outcome.status = decision.status();
  } else if (decision->has_value()) {
    Event& event = draft.events.emplace_back(std::move(**decision));
    draft.tokens->Apply(event);
    draft.records.push_back(nullptr);
  }
}

Result<FlagStore::FlagDraft*> FlagStore::DraftOf(BatchDraft& draft,
                                                 const std::string& organization_id,
                                                 std::string_view flag_key) {
  std::string identity = organization_id + '\0' + std::string(flag_key);
  auto flag = draft.flags.find(identity);
  if (flag == draft.flags.end()) {
    FlagDraft initial;
    if (const OrgState* org = draft.base->FindOrganization(organization_id)) {
      initial.record = org->FindShared(flag_key);
    }
    if (initial.record) {
      initial.version = initial.record->version;
    } else {
      auto last = log_.LastVersion(organization_id, flag_key);
      if (!last.ok()) return last.status();
      initial.version = *last;
    }
    flag = draft.flags.emplace(std::move(identity), std::move(initial)).first;
  }
  return &flag->second;
}

void FlagStore::AddEvent(BatchDraft& draft, FlagDraft& flag, Event event, WriteOutcome& outcome) {
  std::shared_ptr<const FlagRecord> before = flag.record;
  flag.version = event.version;
  flag.record = event.flag ? MakeFlagRecord(*event.flag, event.version) : nullptr;
  outcome.record = flag.record;
  outcome.sequence = draft.first_sequence + draft.events.size();
  if (event.type == EventType::kFlagReverted) {
    outcome.reverted.push_back({event.flag_key, std::move(before), flag.record,
                                draft.first_sequence + draft.events.size()});
  }
  draft.events.push_back(std::move(event));
  draft.records.push_back(flag.record);
}

Status FlagStore::DecideFlagCommand(const Pending& pending, BatchDraft& draft,
                                    WriteOutcome& outcome) {
  const Command& command = pending.command;
  auto flag = DraftOf(draft, command.organization_id, command.flag_key);
  if (!flag.ok()) return flag.status();
  FlagDraft& current = **flag;
  const Flag* current_flag = current.record ? &current.record->flag : nullptr;
  auto decision = Decide(command, current_flag, current.version, draft.now, pending.context);
  if (!decision.ok()) {
    outcome.status = decision.status();
  } else if (!decision->has_value()) {
    outcome.record = current.record;  // changes nothing: the current state
  } else {
    AddEvent(draft, current, std::move(**decision), outcome);
  }
  return Status::Ok();
}

Status FlagStore::DecideRestoreCommand(const Pending& pending, BatchDraft& draft,
                                       WriteOutcome& outcome) {
  const Command& command = pending.command;
  const auto& restore = std::get<RestoreOrganization>(command.action);
  const std::string& organization_id = command.organization_id;
  auto newest = OrganizationSequenceAt(log_, organization_id, EventRange::kEnd);
  if (!newest.ok()) return newest.status();
  outcome.organization_sequence = *newest;
  bool changed_in_batch =
      std::any_of(draft.events.begin(), draft.events.end(),
                  [&](const Event& e) { return e.organization_id == organization_id; });
  if (command.if_match &&
      !(command.if_match->any || (!changed_in_batch && command.if_match->Accepts(*newest)))) {
    outcome.status = Status(ErrorCode::kPreconditionFailed,
                            "organization '" + organization_id + "' has changed since event " +
                                std::to_string(*newest) +
                                (changed_in_batch ? " (a write just before this one)" : "") +
                                ", which If-Match does not accept");
    return Status::Ok();
  }
  // Every key live now (in the published state or as this batch left it) or at the point.
  std::vector<std::string_view> keys;
  if (const OrgState* org = draft.base->FindOrganization(organization_id)) {
    for (const auto& record : org->flags()) keys.push_back(record->flag.flag_key);
  }
  std::string prefix = organization_id + '\0';
  for (auto it = draft.flags.lower_bound(prefix);
       it != draft.flags.end() && it->first.starts_with(prefix); ++it) {
    keys.push_back(std::string_view(it->first).substr(prefix.size()));
  }
  for (const auto& record : restore.target) keys.push_back(record->flag.flag_key);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());

  // Decided in full before any is added, so that a restore is all of its events or none.
  std::vector<std::pair<FlagDraft*, Event>> decided;
  auto target = restore.target.begin();
  for (std::string_view key : keys) {
    while (target != restore.target.end() && (*target)->flag.flag_key < key) ++target;
    bool at_point = target != restore.target.end() && (*target)->flag.flag_key == key;
    auto flag = DraftOf(draft, organization_id, key);
    if (!flag.ok()) return flag.status();
    const FlagRecord* now = (*flag)->record.get();
    Command revert{organization_id, std::string(key),
                   RevertFlag{restore.point, at_point ? *target : nullptr}};
    auto decision =
        Decide(revert, now ? &now->flag : nullptr, (*flag)->version, draft.now, pending.context);
    if (!decision.ok()) {
      outcome.status = decision.status();
      return Status::Ok();
    }
    if (decision->has_value()) {
      (*decision)->restore_id = restore.restore_id;
      decided.emplace_back(*flag, std::move(**decision));
    }
  }
  for (auto& [flag, event] : decided) AddEvent(draft, *flag, std::move(event), outcome);
  outcome.record = nullptr;
  return Status::Ok();
}

void FlagStore::StoreResponse(const Command& command, BatchDraft& draft,
                              const WriteOutcome& outcome) {
  if (!command.idempotency) return;
  draft.remembered[command.idempotency->scope_key] = draft.idempotency_records.size();
  IdempotencyRecord& stored = draft.idempotency_records.emplace_back();
  stored.scope_key = command.idempotency->scope_key;
  stored.created_at = draft.now;
  stored.request = command.idempotency->request;
  stored.response = command.idempotency->render(outcome);
}

// Append, then apply: a failed append applies nothing and fails the whole batch.
Status FlagStore::AppendBatch(BatchDraft& draft) {
  if (draft.events.empty() && draft.idempotency_records.empty()) return Status::Ok();
  std::vector<std::uint64_t> decided_versions;
  decided_versions.reserve(draft.events.size());
  for (const Event& event : draft.events) decided_versions.push_back(event.version);
  auto append_started = std::chrono::steady_clock::now();
  Status appended = log_.Append(draft.events, draft.idempotency_records);
  append_seconds_.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - append_started).count());
  batch_events_.Observe(static_cast<double>(draft.events.size()));
  if (!appended.ok()) return appended;
  if (!draft.events.empty() && draft.events.front().sequence != draft.first_sequence) {
    return Status(ErrorCode::kInternal, "the log gave the batch other sequences than expected");
  }
  for (std::size_t e = 0; e < draft.events.size(); ++e) {
    if (draft.events[e].version != decided_versions[e]) {
      return Status(ErrorCode::kInternal, "the log and the projection disagree on a version");
    }
  }
  batches_.fetch_add(1, std::memory_order_relaxed);
  return Status::Ok();
}

void FlagStore::PublishBatch(BatchDraft& draft, std::vector<Pending>& batch) {
  events_.fetch_add(draft.events.size(), std::memory_order_relaxed);
  commands_.fetch_add(batch.size(), std::memory_order_relaxed);
  if (draft.tokens) PublishTokens(std::move(draft.tokens));
  if (!draft.events.empty()) {
    ProjectionBuilder builder(draft.base);
    for (std::size_t e = 0; e < draft.events.size(); ++e) {
      builder.Apply(draft.events[e], draft.records[e]);
    }
    Publish(builder.Build());
  }
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(draft.outcomes[i]));
  if (!draft.events.empty() && options_.on_published) options_.on_published();
}

Timestamp FlagStore::StampTime() {
  Timestamp wall = clock_.Now();
  Timestamp newest = log_.last_recorded_at();
  if (wall.micros() >= newest.micros()) {
    clock_behind_ = false;
    return wall;
  }
  // Event times never go back: the batch takes the newest event's time, and the operator
  // learns that the wall clock is wrong (once per episode in the log, always in the metric).
  clock_behind_batches_.fetch_add(1, std::memory_order_relaxed);
  if (!clock_behind_) {
    clock_behind_ = true;
    Report("wall clock behind the newest event",
           Status(ErrorCode::kInternal,
                  "the clock reads " + wall.ToMicrosString() +
                      ", the newest event was recorded at " + newest.ToMicrosString() +
                      "; events are stamped with the newest time until the clock catches up"));
  }
  return newest;
}

void FlagStore::FailBatch(std::vector<Pending>& batch, const Status& failure) {
  // Once per second at most: a full disk fails every batch, and the log is on a disk too.
  auto now = std::chrono::steady_clock::now();
  if (now - last_failure_report_ >= std::chrono::seconds(1)) {
    last_failure_report_ = now;
    Report("storage write failed", failure);
  }
  for (Pending& pending : batch) {
    WriteOutcome outcome;
    outcome.status = Unavailable("storage is unavailable; nothing was written");
    pending.done(std::move(outcome));
  }
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

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

Status Unavailable(std::string detail) { return Status(ErrorCode::kUnavailable, std::move(detail)); }

std::string FlagIdentity(const Command& command) {
  return command.organization_id + '\0' + command.flag_key;
}

}  // namespace

FlagStore::FlagStore(EventLog& log, const Clock& clock, FlagStoreOptions options)
    : log_(log),
      clock_(clock),
      options_(std::move(options)),
      snapshot_(std::make_shared<const ProjectionSnapshot>()) {}

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
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || !ready()) {
      refused = Unavailable(stopping_ ? "the server is shutting down"
                                      : "the server is still loading its data");
    } else if (queue_.size() >= options_.max_queued) {
      refused = Unavailable("too many writes are waiting; retry later");
    } else {
      queue_.push_back({std::move(command), std::move(context), std::move(done)});
    }
  }
  if (!refused.ok()) {
    done(WriteOutcome{std::move(refused), nullptr, false});
    return;
  }
  queue_changed_.notify_one();
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
  while (true) {
    {
      std::unique_lock lock(mutex_);
      queue_changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued command is answered
      std::size_t take = std::min(queue_.size(), options_.max_batch);
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + take));
      queue_.erase(queue_.begin(), queue_.begin() + take);
    }
    ProcessBatch(batch);
    batch.clear();
  }
}

void FlagStore::ProcessBatch(std::vector<Pending>& batch) {
  std::shared_ptr<const ProjectionSnapshot> base = snapshot();
  Timestamp now = std::max(clock_.Now(), log_.last_recorded_at());

  // Decide each command against the base plus this batch's earlier events.
  std::vector<Event> events;
  std::vector<WriteOutcome> outcomes(batch.size());
  std::vector<std::optional<std::size_t>> event_of(batch.size());   // command -> its event
  std::vector<std::optional<std::size_t>> latest_of(batch.size());  // no-op -> key's latest event
  std::map<std::string, std::size_t> latest_event;                  // flag identity -> event
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const Command& command = batch[i].command;
    std::string identity = FlagIdentity(command);
    const Flag* current = nullptr;
    if (auto it = latest_event.find(identity); it != latest_event.end()) {
      const auto& flag = events[it->second].flag;
      current = flag ? &*flag : nullptr;
    } else if (const OrgState* org = base->FindOrganization(command.organization_id)) {
      const FlagRecord* record = org->Find(command.flag_key);
      current = record ? &record->flag : nullptr;
    }
    auto decision = Decide(command, current, now, batch[i].context);
    if (!decision.ok()) {
      outcomes[i].status = decision.status();
    } else if (!decision->has_value()) {
      if (auto it = latest_event.find(identity); it != latest_event.end()) {
        latest_of[i] = it->second;
      } else if (const OrgState* org = base->FindOrganization(command.organization_id)) {
        outcomes[i].record = org->FindShared(command.flag_key);
      }
    } else {
      event_of[i] = events.size();
      latest_event[identity] = events.size();
      events.push_back(std::move(**decision));
    }
  }

  // Append, then apply: a failed append applies nothing and fails the whole batch.
  std::vector<std::shared_ptr<const FlagRecord>> records;
  if (!events.empty()) {
    Status appended = log_.Append(events);
    if (!appended.ok()) {
      Report("storage write failed", appended);
      for (Pending& pending : batch) {
        pending.done(WriteOutcome{Unavailable("storage is unavailable; nothing was written"),
                                  nullptr, false});
      }
      return;
    }
    ProjectionBuilder builder(base);
    records.reserve(events.size());
    for (const Event& event : events) records.push_back(builder.Apply(event));
    Publish(builder.Build());
  }

  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (event_of[i]) {
      outcomes[i].record = records[*event_of[i]];
      outcomes[i].appended = true;
    } else if (latest_of[i]) {
      outcomes[i].record = records[*latest_of[i]];
    }
    batch[i].done(std::move(outcomes[i]));
  }
}

}  // namespace flagledger

#include "projections/token_table.h"

#include "events/event_codec.h"
#include "events/event_log.h"

namespace flagledger {

const ApiToken* TokenTable::FindById(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &tokens_[it->second];
}

const ApiToken* TokenTable::FindBySecretHash(std::string_view secret_sha256) const {
  auto it = by_hash_.find(secret_sha256);
  return it == by_hash_.end() ? nullptr : &tokens_[it->second];
}

void TokenTable::Apply(const Event& event) {
  if (!event.token) return;
  auto existing = by_id_.find(event.flag_key);
  switch (event.type) {
    case EventType::kTokenCreated: {
      if (existing != by_id_.end()) return;  // DecideToken never lets this happen
      ApiToken& token = tokens_.emplace_back();
      token.id = event.flag_key;
      token.name = event.token->name;
      token.organization_id = event.token->organization_id;
      token.role = event.token->role;
      token.secret_sha256 = event.token->secret_sha256;
      token.version = event.version;
      token.created_at = event.recorded_at;
      by_id_.emplace(token.id, tokens_.size() - 1);
      by_hash_.emplace(token.secret_sha256, tokens_.size() - 1);
      return;
    }
    case EventType::kTokenRevoked:
      if (existing == by_id_.end()) return;
      tokens_[existing->second].version = event.version;
      tokens_[existing->second].revoked_at = event.recorded_at;
      return;
    case EventType::kFlagCreated:
    case EventType::kFlagUpdated:
    case EventType::kFlagRolloutUpdated:
    case EventType::kFlagDeleted:
    case EventType::kFlagReverted:
      return;  // not about tokens
  }
}

Result<TokenTable> LoadTokenTable(const EventLog& log) {
  TokenTable table;
  EventDecoder decoder;
  Status failure;
  Status scanned =
      log.ScanOrganization(kSystemStream, {}, [&](std::uint64_t sequence, std::string_view json) {
        auto event = decoder.Decode(json);
        if (!event.ok()) {
          failure = Status(ErrorCode::kInternal, "token event " + std::to_string(sequence) +
                                                     " is damaged: " + event.status().detail());
          return false;
        }
        table.Apply(*event);
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!failure.ok()) return failure;
  return table;
}

}  // namespace flagledger

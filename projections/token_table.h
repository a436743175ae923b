// The API tokens, folded from the token events of the system stream.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/api_token.h"
#include "core/status.h"
#include "events/event.h"

namespace flagledger {

class EventLog;

// Every token ever created, revoked ones included, in order of creation. Lookups by id and
// by the SHA-256 of the secret are O(1). Published immutable; copied to change (tokens are
// few and change rarely).
class TokenTable {
 public:
  // nullptr when no token has this id / this hash.
  const ApiToken* FindById(std::string_view id) const;
  const ApiToken* FindBySecretHash(std::string_view secret_sha256) const;

  // True when no token was ever created (revoked tokens count as created).
  bool empty() const { return tokens_.empty(); }
  const std::vector<ApiToken>& tokens() const { return tokens_; }
  // A token's position in tokens(): stable across the tables that follow this one, since
  // tokens are only ever appended (a revoked token stays in its place).
  // REQUIRES: `token` is one of this table's.
  std::int64_t IndexOf(const ApiToken& token) const { return &token - tokens_.data(); }

  // Folds one token event in; other events are ignored.
  void Apply(const Event& event);

 private:
  std::vector<ApiToken> tokens_;
  // Transparent hashing: lookups by string_view without building a string.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  using Index = std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>>;
  Index by_id_;
  Index by_hash_;
};

// Reads the system stream of `log` into a table. kUnavailable on a log failure, kInternal
// for an undecodable event.
Result<TokenTable> LoadTokenTable(const EventLog& log);

}  // namespace flagledger

// API tokens (docs/api.md, "Authentication and tokens"): who may do what to which
// organization's flags.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/timestamp.h"

namespace flagledger {

// read < write < admin: each includes the ones before it. auditor is apart: it reads what read
// does and, beside it, the audit trail of who was given access (the token events of the
// organizations it covers, and with '*' the whole log), and writes nothing. replica is apart
// too: with '*' only, it reads the replication feed and checkpoint (what a read replica needs
// of its leader) and nothing else.
enum class Role { kRead, kWrite, kAdmin, kAuditor, kReplica };

std::string_view RoleName(Role role);  // "read", "write", "admin", "auditor", "replica"
std::optional<Role> ParseRole(std::string_view name);

// The scope of an operator token: every organization and the whole log. Only with kAdmin or
// kAuditor (a read-only operator), or kReplica (a read replica's feed).
inline constexpr std::string_view kAllOrganizations = "*";
// The organization id under which token events are logged. Not a valid organization id
// (core/identifier.h), so no client can read or write it as one.
inline constexpr std::string_view kSystemStream = "_system";

// A token as its events left it. The secret itself is never stored, only its SHA-256.
struct ApiToken {
  std::string id;               // valid identifier; the key of its stream in kSystemStream
  std::string name;             // TokenNameProblem empty; the `actor` of the events it causes
  std::string organization_id;  // a valid organization id, or kAllOrganizations
  Role role = Role::kRead;
  std::string secret_sha256;  // 64 lowercase hex digits
  std::uint64_t version = 0;  // of its stream: 1 once created, 2 once revoked
  Timestamp created_at;
  std::optional<Timestamp> revoked_at;

  bool active() const { return !revoked_at; }
  bool operator==(const ApiToken&) const = default;
};

// Token names are what people and services are called: "deploy-bot", "Åsa Berg",
// "asa.berg@example.com". What is wrong with `name` as one: 1 to kMaxTokenNameCharacters
// characters of UTF-8 without control characters, not starting or ending with a space;
// empty when nothing is.
inline constexpr std::size_t kMaxTokenNameCharacters = 128;
std::string TokenNameProblem(std::string_view name);

// What a request needs: `role` on `organization_id`, or on the whole log when that is empty.
// kAuditor here means the audit trail: an admin or an auditor token; kReplica the replication
// feed: an admin, auditor or replica token.
struct Access {
  std::string_view organization_id;
  Role role = Role::kRead;
};

// True when the active `token` allows `access`. An organization's token never reaches the
// whole log; an operator token (kAllOrganizations) reaches every organization, and the whole
// log. An auditor is granted reads (kRead), the audit trail (kAuditor) and the replication
// feed (kReplica) only; a replica token the replication feed only.
bool Grants(const ApiToken& token, const Access& access);

// The secret's shape: "flt_" and 64 lowercase hex digits (256 random bits).
inline constexpr std::string_view kSecretPrefix = "flt_";
bool LooksLikeSecret(std::string_view text);

}  // namespace flagledger

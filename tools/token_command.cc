// `flagledger token create|list|revoke`: API tokens (docs/api.md, "Authentication and tokens").
#include <fcntl.h>
#include <pwd.h>
#include <sys/random.h>
#include <unistd.h>

#include <cstdio>
#include <future>

#include "core/clock.h"
#include "core/json_writer.h"
#include "core/sha256.h"
#include "events/event_log.h"
#include "projections/flag_store.h"
#include "projections/snapshot_store.h"
#include "projections/token_table.h"
#include "tools/command_options.h"
#include "tools/offline_commands.h"
#include "tools/token_spool.h"

namespace flagledger {
namespace {

constexpr char kHelp[] = R"(Usage:
  flagledger token create --data-dir DIR --org ORG --role ROLE --name NAME
  flagledger token list   --data-dir DIR [--json]
  flagledger token revoke --data-dir DIR --id ID

create  makes a token for one organization (or, with --org '*' and --role admin, auditor or
        replica, a token for every organization and the whole log) and prints its secret on
        stdout, once: only its SHA-256 is stored. Send it as `Authorization: Bearer <secret>`.
        read may GET the organization's flags, history and events; write may also change
        flags; admin may do what write may (and, with '*', everything); auditor may read
        what read may and the organization's token events (with '*': every organization and
        the whole log, token events included), and change nothing; replica (with '*' only)
        may read the replication feed and checkpoint that a read replica follows
        (`serve --follow-token`), and nothing else. NAME is what the
        holder is called and the `actor` of its events: 1 to 128 characters, spaces and
        any language allowed ('Åsa Berg', asa.berg@example.com); quote it in the shell.
list    prints every token, revoked ones included; never a secret.
revoke  stops a token at once; its past events keep its name.

Creation and revocation are events in the log (type token.created / token.revoked, in the
system stream "_system"), so `flagledger history --org _system` and /api/v1/events show them.
All three work while a server runs on DIR: create and revoke hand the change to the server,
which applies it before the command returns.
)";

std::string RandomHex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  std::size_t filled = 0;
  while (filled < bytes) {
    ssize_t got = getrandom(raw.data() + filled, bytes - filled, 0);
    if (got > 0) filled += static_cast<std::size_t>(got);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : raw) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0xf]);
  }
  return hex;
}

// "cli:<login name>", reduced to identifier characters.
std::string CommandActor() {
  const passwd* user = getpwuid(getuid());
  std::string name = user ? user->pw_name : "unknown";
  std::string actor = "cli:";
  for (char c : name) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
    actor.push_back(plain ? c : '_');
  }
  if (actor.size() == 4 || actor[4] == '.' || actor[4] == '_' || actor[4] == '-') {
    actor.insert(4, "u");
  }
  return actor;
}

// Applies `request` through the server when one runs on `data_dir`, else through a store
// opened here; both decide, append and apply it the same way.
Status Execute(const std::string& data_dir, const TokenRequest& request) {
  if (LogLockedByAnotherProcess(data_dir)) {
    return SendThroughSpool(data_dir, request, std::chrono::seconds(10));
  }
  auto log = EventLog::Open(data_dir, EventLogOptions{});
  if (!log.ok()) {
    if (LogLockedByAnotherProcess(data_dir)) {  // a server started meanwhile
      return SendThroughSpool(data_dir, request, std::chrono::seconds(10));
    }
    return log.status();
  }
  // The same writer as the server's, started from the newest snapshot (only read: none is
  // written), so a long log is not replayed in full for one token event.
  SystemClock clock;
  SnapshotStore snapshots(data_dir);
  FlagStoreOptions options;
  options.snapshots = &snapshots;
  options.snapshot_every = 0;
  FlagStore store(**log, clock, std::move(options));
  Status started = store.Start();
  if (!started.ok()) return started;
  std::promise<Status> outcome;
  store.Submit(request.ToCommand(), request.Context(),
               [&outcome](const WriteOutcome& written) { outcome.set_value(written.status); });
  Status result = outcome.get_future().get();
  store.Stop();
  return result;
}

int Fail(const char* what, const std::string& detail, int code = 1) {
  std::fprintf(stderr, "flagledger token %s: %s\n", what, detail.c_str());
  return code;
}

int Create(const CommandOptions& options) {
  for (const char* required : {"org", "role", "name"}) {
    if (!options.has(required)) return Fail("create", "--org, --role and --name are required", 2);
  }
  auto role = ParseRole(options.get("role"));
  if (!role) return Fail("create", "--role must be read, write, admin, auditor or replica", 2);
  std::string secret = std::string(kSecretPrefix) + RandomHex(32);
  TokenRequest request;
  request.operation = TokenRequest::Operation::kCreate;
  request.id = "tok_" + RandomHex(8);
  request.name = options.get("name");
  request.organization_id = options.get("org");
  request.role = *role;
  request.secret_sha256 = Sha256Hex(secret);
  request.actor = CommandActor();
  request.request_id = RandomHex(16);
  Status valid = ValidateTokenRequest(request);
  if (!valid.ok()) return Fail("create", valid.detail(), 2);
  Status done = Execute(options.get("data-dir"), request);
  if (!done.ok()) return Fail("create", done.detail());
  std::fprintf(stderr, "created token %s '%s' (%s on %s); the secret below is shown only once\n",
               request.id.c_str(), request.name.c_str(), options.get("role").c_str(),
               request.organization_id.c_str());
  std::printf("%s\n", secret.c_str());
  return 0;
}

int Revoke(const CommandOptions& options) {
  if (!options.has("id")) return Fail("revoke", "--id is required", 2);
  TokenRequest request;
  request.operation = TokenRequest::Operation::kRevoke;
  request.id = options.get("id");
  request.actor = CommandActor();
  request.request_id = RandomHex(16);
  Status valid = ValidateTokenRequest(request);
  if (!valid.ok()) return Fail("revoke", valid.detail(), 2);
  Status done = Execute(options.get("data-dir"), request);
  if (!done.ok()) return Fail("revoke", done.detail());
  std::fprintf(stderr, "revoked token %s\n", request.id.c_str());
  return 0;
}

int List(const CommandOptions& options) {
  auto log = OpenLogForReading(options.get("data-dir"), "token list");
  if (!log) return 1;
  auto table = LoadTokenTable(*log);
  if (!table.ok()) return Fail("list", table.status().detail());
  bool json = options.has("json");
  if (!json) {
    std::printf("%-20s %-24s %-24s %-6s %-28s %s\n", "ID", "NAME", "ORGANIZATION", "ROLE",
                "CREATED", "REVOKED");
  }
  for (const ApiToken& token : table->tokens()) {
    std::string created, revoked;
    token.created_at.AppendMicros(created);
    if (token.revoked_at) token.revoked_at->AppendMicros(revoked);
    if (json) {
      std::string line = "{\"id\":";
      AppendJsonString(line, token.id);
      line += ",\"name\":";
      AppendJsonString(line, token.name);
      line += ",\"organization_id\":";
      AppendJsonString(line, token.organization_id);
      line += ",\"role\":";
      AppendJsonString(line, RoleName(token.role));
      line += ",\"created_at\":";
      AppendJsonString(line, created);
      line += ",\"revoked_at\":";
      if (token.revoked_at) {
        AppendJsonString(line, revoked);
      } else {
        line += "null";
      }
      std::printf("%s}\n", line.c_str());
    } else {
      std::printf("%-20s %-24s %-24s %-6s %-28s %s\n", token.id.c_str(), token.name.c_str(),
                  token.organization_id.c_str(), std::string(RoleName(token.role)).c_str(),
                  created.c_str(), token.revoked_at ? revoked.c_str() : "-");
    }
  }
  return 0;
}

}  // namespace

int RunToken(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kHelp, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string& action = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  auto options = ParseCommandOptions(rest, {"data-dir", "org", "role", "name", "id"}, {"json"});
  if (!options.ok()) return Fail(action.c_str(), options.status().detail(), 2);
  if (options->has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!options->has("data-dir")) return Fail(action.c_str(), "--data-dir is required", 2);
  if (action == "create") return Create(*options);
  if (action == "revoke") return Revoke(*options);
  if (action == "list") return List(*options);
  std::fprintf(stderr, "flagledger token: unknown action '%s'\n\n%s", action.c_str(), kHelp);
  return 2;
}

}  // namespace flagledger

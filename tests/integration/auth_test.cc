// API tokens against the real binary: `flagledger token` beside a running server, 401/403,
// the audit trail's actor, revocation, restarts, and secure defaults.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/testing/http_client.h"
#include "tests/testing/raw_connection.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

const std::string kOrgA = "/api/v1/organizations/org-a";
const std::string kOrgB = "/api/v1/organizations/org-b";

// The secret printed by `flagledger token create`, or "" (with a test failure).
std::string SecretOf(const CommandResult& result) {
  std::smatch match;
  static const std::regex kSecret("flt_[0-9a-f]{64}");
  EXPECT_EQ(result.exit_code, 0) << result.out;
  return std::regex_search(result.out, match, kSecret) ? match.str() : "";
}

HeaderList Bearer(const std::string& secret) { return {{"Authorization", "Bearer " + secret}}; }

class AuthTest : public ::testing::Test {
 protected:
  std::string DataDir() const { return dir_.Sub("data"); }

  std::string CreateToken(const std::string& org, const std::string& role,
                          const std::string& name) {
    return SecretOf(RunFlagledger("token create --data-dir " + DataDir() + " --org '" + org +
                                  "' --role " + role + " --name '" + name + "'"));
  }
  std::string TokenId(const std::string& name) {
    std::string list = RunFlagledger("token list --json --data-dir " + DataDir()).out;
    std::smatch match;
    std::regex line("\\{\"id\":\"([^\"]+)\",\"name\":\"" + name + "\"");
    return std::regex_search(list, match, line) ? match[1].str() : "";
  }
  HttpResult Send(const std::string& method, const std::string& target, const std::string& secret,
                  const std::string& body = "") {
    HttpResult result =
        client().Send(method, target, body, secret.empty() ? HeaderList{} : Bearer(secret));
    seen_ += result.body;
    for (auto& [name, value] : result.headers) seen_ += name + ": " + value + "\n";
    return result;
  }
  HttpClient& client() {
    if (!client_) client_ = std::make_unique<HttpClient>(server_.port());
    return *client_;
  }
  // The log's newest sequence, read with the operator token.
  std::uint64_t Sequence() {
    HttpResult page = Send("GET", kOrgA + "/feature-flags", operator_);
    EXPECT_EQ(page.status, 200) << page.body;
    return std::stoull(page.Header("Flagledger-Event-Sequence"));
  }

  TempDir dir_;
  ServerProcess server_{dir_.Sub("data")};
  std::unique_ptr<HttpClient> client_;
  std::string operator_;
  std::string seen_;  // every response's headers and body
};

TEST_F(AuthTest, OpenOnLoopbackUntilTheFirstTokenThenEveryRequestNeedsOne) {
  server_.Start();
  EXPECT_NE(server_.Log().find("no API token exists yet"), std::string::npos)
      << "a warning at start";
  ASSERT_EQ(Send("POST", kOrgA + "/feature-flags", "", R"({"flag_key":"beta"})").status, 201);

  std::string writer = CreateToken("org-a", "write", "deployer");  // while the server runs
  ASSERT_FALSE(writer.empty());
  HttpResult missing = Send("GET", kOrgA + "/feature-flags/beta", "");
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.Header("WWW-Authenticate"), "Bearer realm=\"flagledger\"");
  EXPECT_NE(missing.body.find("\"code\":\"unauthorized\""), std::string::npos);
  EXPECT_EQ(missing.Header("Content-Type"), "application/problem+json");
  HttpResult wrong = client().Send("GET", kOrgA + "/feature-flags/beta", "",
                                   {{"Authorization", "Bearer flt_" + std::string(64, '0')}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.Header("WWW-Authenticate"),
            "Bearer realm=\"flagledger\", error=\"invalid_token\"");
  EXPECT_EQ(client()
                .Send("GET", kOrgA + "/feature-flags/beta", "", {{"Authorization", "Basic abc"}})
                .status,
            401);
  EXPECT_EQ(Send("GET", "/healthz", "").status, 200) << "probes stay open";
  EXPECT_EQ(Send("GET", "/readyz", "").status, 200);

  ASSERT_EQ(Send("PUT", kOrgA + "/feature-flags/beta", writer, R"({"enabled":true})").status, 200);
  HttpResult history = Send("GET", kOrgA + "/feature-flags/beta/history", writer);
  ASSERT_EQ(history.status, 200);
  EXPECT_NE(
      history.body.find(
          R"("type":"flag.created","organization_id":"org-a","flag_key":"beta","version":1,)"),
      std::string::npos);
  EXPECT_NE(history.body.find(R"("actor":"anonymous")"), std::string::npos) << "before the token";
  EXPECT_NE(
      history.body.find(
          R"("type":"flag.updated","organization_id":"org-a","flag_key":"beta","version":2,"recorded_at":)"),
      std::string::npos);
  EXPECT_NE(history.body.find(R"("actor":"deployer")"), std::string::npos) << history.body;
}

TEST_F(AuthTest, EveryCrossOrganizationAndWrongRoleAttemptIsDeniedAndAppendsNothing) {
  server_.Start();
  operator_ = CreateToken("*", "admin", "ops");
  std::string reader = CreateToken("org-a", "read", "reader");
  std::string writer = CreateToken("org-a", "write", "writer");
  std::string admin = CreateToken("org-a", "admin", "org-admin");
  std::string other = CreateToken("org-b", "admin", "b-admin");
  ASSERT_EQ(Send("POST", kOrgA + "/feature-flags", operator_, R"({"flag_key":"f"})").status, 201);
  ASSERT_EQ(Send("POST", kOrgB + "/feature-flags", operator_, R"({"flag_key":"f"})").status, 201);

  struct Attempt {
    std::string method, target, body;
    bool writes;
  };
  const std::vector<Attempt> attempts = {
      {"GET", "/feature-flags", "", false},
      {"HEAD", "/feature-flags/f", "", false},
      {"GET", "/feature-flags/f?as_of_event=1", "", false},
      {"GET", "/feature-flags/f/history", "", false},
      {"GET", "/events", "", false},
      {"POST", "/feature-flags", R"({"flag_key":"new"})", true},
      {"PUT", "/feature-flags/f", R"({"enabled":true})", true},
      {"PATCH", "/feature-flags/f/rollout", R"({"min_version":"1.0.0"})", true},
      {"DELETE", "/feature-flags/f", "", true},
  };
  for (const std::string* secret : {&reader, &writer, &admin, &other}) {
    for (const Attempt& attempt : attempts) {
      for (const std::string& org : {kOrgA, kOrgB}) {
        bool own = (org == kOrgA) != (secret == &other);
        bool allowed = own && (!attempt.writes || secret != &reader);
        if (allowed) continue;  // the allowed ones are exercised below, once
        std::uint64_t before = Sequence();
        HttpResult denied = Send(attempt.method, org + attempt.target, *secret, attempt.body);
        EXPECT_EQ(denied.status, 403) << attempt.method << " " << org << attempt.target;
        if (attempt.method != "HEAD") {
          EXPECT_NE(denied.body.find("\"code\":\"forbidden\""), std::string::npos) << denied.body;
        }
        EXPECT_EQ(Sequence(), before) << "a denied request appends nothing";
      }
    }
    HttpResult whole = Send("GET", "/api/v1/events", *secret);
    EXPECT_EQ(whole.status, 403) << "only an operator token reads the whole log";
  }
  // What each role may do on its own organization.
  EXPECT_EQ(Send("GET", kOrgA + "/feature-flags/f", reader).status, 200);
  EXPECT_EQ(Send("GET", kOrgA + "/events", reader).status, 200);
  EXPECT_EQ(Send("PUT", kOrgA + "/feature-flags/f", writer, R"({"enabled":true})").status, 200);
  EXPECT_EQ(
      Send("PATCH", kOrgA + "/feature-flags/f/rollout", admin, R"({"min_version":"1.0.0"})").status,
      200);
  EXPECT_EQ(Send("DELETE", kOrgB + "/feature-flags/f", other).status, 200);
  HttpResult all = Send("GET", "/api/v1/events", operator_);
  ASSERT_EQ(all.status, 200);
  EXPECT_NE(all.body.find(R"("type":"token.created","organization_id":"_system")"),
            std::string::npos)
      << "token events are part of the audit history";
  EXPECT_NE(all.body.find(R"("actor":"org-admin")"), std::string::npos);
}

TEST_F(AuthTest, AnAuditorReadsTheAuditTrailAndWritesNothing) {
  server_.Start();
  operator_ = CreateToken("*", "admin", "ops");
  std::string auditor = CreateToken("org-a", "auditor", "\u00c5sa Berg (audit)");
  std::string everywhere = CreateToken("*", "auditor", "external-audit");
  std::string reader = CreateToken("org-a", "read", "reader");
  std::string admin = CreateToken("org-a", "admin", "org-admin");
  CreateToken("org-b", "write", "b-writer");
  for (const std::string& org : {kOrgA, kOrgB}) {
    ASSERT_EQ(Send("POST", org + "/feature-flags", operator_, R"({"flag_key":"f"})").status, 201);
  }
  ASSERT_EQ(RunFlagledger("token revoke --data-dir " + DataDir() + " --id " + TokenId("reader"))
                .exit_code,
            0);

  // Every read of the organizations it covers; nothing of the others.
  for (const std::string target :
       {"/feature-flags", "/feature-flags/f", "/feature-flags/f/history", "/events",
        "/diff?from_event=0", "/evaluation?version=1.0.0", "/feature-flags/f?as_of=2999-01-01"}) {
    EXPECT_EQ(Send("GET", kOrgA + target, auditor).status, 200) << target;
    EXPECT_EQ(Send("GET", kOrgB + target, auditor).status, 403) << target;
    EXPECT_EQ(Send("GET", kOrgB + target, everywhere).status, 200) << target;
  }
  // No write of any kind, by either.
  struct Write {
    std::string method, target, body;
  };
  for (const Write& write : std::vector<Write>{
           {"POST", "/feature-flags", R"({"flag_key":"new"})"},
           {"PUT", "/feature-flags/f", R"({"enabled":true})"},
           {"PATCH", "/feature-flags/f/rollout", R"({"min_version":"1.0.0"})"},
           {"DELETE", "/feature-flags/f", ""},
           {"POST", "/feature-flags/f/revert", R"({"to_event":0})"},
           {"POST", "/restore", R"({"to_event":0})"},
           {"POST", "/restore", R"({"to_event":0,"dry_run":true})"},
       }) {
    for (const std::string* secret : {&auditor, &everywhere}) {
      std::uint64_t before = Sequence();
      HttpResult denied = Send(write.method, kOrgA + write.target, *secret, write.body);
      EXPECT_EQ(denied.status, 403) << write.method << " " << write.target;
      EXPECT_NE(denied.body.find("has the role 'auditor'; this request needs 'write'"),
                std::string::npos)
          << denied.body;
      EXPECT_EQ(Sequence(), before);
    }
  }

  // Who was given access to the organization, and who took it away: its tokens' events only.
  HttpResult trail = Send("GET", kOrgA + "/token-events", auditor);
  ASSERT_EQ(trail.status, 200) << trail.body;
  for (const char* name : {"\u00c5sa Berg (audit)", "reader", "org-admin"}) {
    EXPECT_NE(trail.body.find(std::string("\"name\":\"") + name + "\""), std::string::npos)
        << name << ": " << trail.body;
  }
  for (const char* name : {"b-writer", "ops", "external-audit"}) {
    EXPECT_EQ(trail.body.find(std::string("\"name\":\"") + name + "\""), std::string::npos)
        << name << " is not a token for org-a: " << trail.body;
  }
  EXPECT_NE(trail.body.find(R"("type":"token.revoked")"), std::string::npos);
  HttpResult revoked = Send("GET", kOrgA + "/token-events?type=token.revoked&limit=1", auditor);
  EXPECT_NE(revoked.body.find(R"("name":"reader")"), std::string::npos) << revoked.body;
  EXPECT_NE(revoked.body.find(R"("has_more":false)"), std::string::npos) << revoked.body;
  HttpResult csv = client().Send("GET", kOrgA + "/token-events", "",
                                 {{"Authorization", "Bearer " + auditor}, {"Accept", "text/csv"}});
  EXPECT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find(",token.created,_system,"), std::string::npos) << csv.body;
  EXPECT_EQ(Send("GET", kOrgA + "/token-events", admin).status, 200) << "its admin may too";
  HttpResult refused = Send("GET", kOrgA + "/token-events", CreateToken("org-a", "write", "w"));
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("needs 'admin' or 'auditor'"), std::string::npos) << refused.body;
  EXPECT_EQ(Send("GET", kOrgB + "/token-events", auditor).status, 403);
  EXPECT_NE(Send("GET", kOrgB + "/token-events", everywhere).body.find(R"("name":"b-writer")"),
            std::string::npos);

  // The whole log and its head: for '*' auditors (and operators), not an organization's.
  EXPECT_EQ(Send("GET", "/api/v1/events", auditor).status, 403);
  EXPECT_EQ(Send("GET", "/api/v1/events/head", auditor).status, 403);
  HttpResult whole = Send("GET", "/api/v1/events", everywhere);
  EXPECT_EQ(whole.status, 200);
  EXPECT_NE(whole.body.find(R"("name":"b-writer")"), std::string::npos);
  EXPECT_EQ(Send("GET", "/api/v1/events/head", everywhere).status, 200);
}

TEST_F(AuthTest, PeopleAreActorsAndTokensOfOneNameStayDistinguishable) {
  server_.Start();
  operator_ = CreateToken("*", "admin", "ops");
  const std::string name = "\u00c5sa Berg";
  std::string first = CreateToken("org-a", "write", name);
  std::string second = CreateToken("org-a", "write", name);
  std::string mail = CreateToken("org-a", "write", "asa.berg@example.com");
  ASSERT_FALSE(first.empty() || second.empty() || mail.empty());
  std::string flags = kOrgA + "/feature-flags";
  ASSERT_EQ(Send("POST", flags, first, R"({"flag_key":"beta"})").status, 201);
  ASSERT_EQ(Send("PUT", flags + "/beta", second, R"({"enabled":true})").status, 200);
  ASSERT_EQ(Send("PUT", flags + "/beta", mail, R"({"enabled":false})").status, 200);

  std::string list = RunFlagledger("token list --json --data-dir " + DataDir()).out;
  std::vector<std::string> ids;
  std::regex same_name("\\{\"id\":\"([^\"]+)\",\"name\":\"" + name + "\"");
  for (std::sregex_iterator it(list.begin(), list.end(), same_name), end; it != end; ++it) {
    ids.push_back((*it)[1].str());
  }
  ASSERT_EQ(ids.size(), 2u) << list;
  std::string history = Send("GET", flags + "/beta/history", operator_).body;
  for (const std::string& id : ids) {
    EXPECT_NE(history.find("\"actor\":\"" + name + "\",\"request_id\""), std::string::npos)
        << history;
    EXPECT_NE(history.find("\"actor_token_id\":\"" + id + "\""), std::string::npos) << history;
  }
  EXPECT_NE(history.find("\"actor_token_id\":\"" + TokenId("asa.berg@example.com") + "\""),
            std::string::npos)
      << history;
  // The actor filter takes the name, percent-encoded: both tokens' events.
  std::string filtered = Send("GET", kOrgA + "/events?actor=%C3%85sa%20Berg", operator_).body;
  EXPECT_NE(filtered.find(ids[0]), std::string::npos) << filtered;
  EXPECT_NE(filtered.find(ids[1]), std::string::npos) << filtered;
  EXPECT_EQ(filtered.find("asa.berg@example.com"), std::string::npos) << filtered;

  CommandResult refused = RunFlagledger("token create --data-dir " + DataDir() +
                                        " --org org-a --role read --name ' x'");
  EXPECT_EQ(refused.exit_code, 2) << refused.out;
  EXPECT_NE(refused.out.find("--name must not start or end with a space"), std::string::npos)
      << refused.out;
}

TEST_F(AuthTest, ARevokedTokenStopsWorkingOnceTheCommandReturns) {
  server_.Start();
  operator_ = CreateToken("*", "admin", "ops");
  std::string reader = CreateToken("org-a", "read", "short-lived");
  ASSERT_EQ(Send("GET", kOrgA + "/feature-flags", reader).status, 200);
  std::string id = TokenId("short-lived");
  ASSERT_FALSE(id.empty());
  CommandResult revoked = RunFlagledger("token revoke --data-dir " + DataDir() + " --id " + id);
  ASSERT_EQ(revoked.exit_code, 0) << revoked.out;
  HttpResult refused = Send("GET", kOrgA + "/feature-flags", reader);
  EXPECT_EQ(refused.status, 401);
  EXPECT_NE(refused.body.find("unknown or revoked"), std::string::npos);
  EXPECT_EQ(Send("GET", kOrgA + "/feature-flags", operator_).status, 200) << "others keep working";

  std::string list = RunFlagledger("token list --data-dir " + DataDir()).out;
  EXPECT_NE(list.find(id), std::string::npos);
  EXPECT_EQ(list.find("flt_"), std::string::npos) << "list never shows secrets";
  CommandResult unknown =
      RunFlagledger("token revoke --data-dir " + DataDir() + " --id tok_nothing");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.out.find("no token has the id 'tok_nothing'"), std::string::npos)
      << unknown.out;
}

// Revocation ends what the token opened: a change stream and an idle keep-alive connection
// are closed by the server at once, while the operator's stream goes on.
TEST_F(AuthTest, RevokingATokenClosesItsStreamsAndConnections) {
  server_.Start();
  operator_ = CreateToken("*", "admin", "ops");
  std::string reader = CreateToken("org-a", "read", "streamer");
  auto open_stream = [&](const std::string& secret) {
    auto connection = std::make_unique<RawConnection>(server_.port());
    EXPECT_TRUE(connection->Send("GET " + kOrgA + "/events/stream HTTP/1.1\r\nHost: x\r\n" +
                                 "Authorization: Bearer " + secret + "\r\n\r\n"));
    EXPECT_NE(connection->ReadFor(std::chrono::milliseconds(300)).find("HTTP/1.1 200 OK"),
              std::string::npos);
    return connection;
  };
  auto stream = open_stream(reader);
  auto operator_stream = open_stream(operator_);
  RawConnection idle(server_.port());
  ASSERT_TRUE(idle.Send("GET " + kOrgA + "/feature-flags HTTP/1.1\r\nHost: x\r\n" +
                        "Authorization: Bearer " + reader + "\r\n\r\n"));
  ASSERT_NE(idle.ReadFor(std::chrono::milliseconds(300)).find("HTTP/1.1 200 OK"),
            std::string::npos);

  std::string id = TokenId("streamer");
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(RunFlagledger("token revoke --data-dir " + DataDir() + " --id " + id).exit_code, 0);
  EXPECT_TRUE(stream->ClosedWithin(std::chrono::seconds(2))) << "the revoked token's stream";
  EXPECT_TRUE(idle.ClosedWithin(std::chrono::seconds(2))) << "the revoked token's connection";
  EXPECT_FALSE(operator_stream->ClosedWithin(std::chrono::milliseconds(500)))
      << "another token's stream goes on";
}

TEST_F(AuthTest, TokensSurviveARestartAndNoSecretEverReachesALogOrAResponse) {
  operator_ = CreateToken("*", "admin", "ops");  // no server runs: the command opens the log
  std::string writer = CreateToken("org-a", "write", "deployer");
  server_.Start();
  EXPECT_EQ(server_.Log().find("no API token exists yet"), std::string::npos);
  EXPECT_NE(server_.Log().find(R"("auth":"on")"), std::string::npos);
  EXPECT_EQ(Send("GET", kOrgA + "/feature-flags", "").status, 401);
  ASSERT_EQ(Send("POST", kOrgA + "/feature-flags", writer, R"({"flag_key":"f"})").status, 201);
  ASSERT_EQ(server_.Stop(), 0);
  server_.Start();
  client_.reset();  // a new port
  EXPECT_EQ(Send("GET", kOrgA + "/feature-flags/f", "").status, 401);
  EXPECT_EQ(Send("GET", kOrgA + "/feature-flags/f", writer).status, 200);
  Send("GET", "/api/v1/events", operator_);
  Send("GET", kOrgA + "/feature-flags/f/history", writer);
  RunFlagledger("history --data-dir " + DataDir() + " --org _system");
  ASSERT_EQ(server_.Stop(), 0);

  std::string system_history =
      RunFlagledger("history --data-dir " + DataDir() + " --org _system").out;
  EXPECT_NE(system_history.find("token.created"), std::string::npos) << system_history;
  std::string logs =
      server_.Log() + system_history + RunFlagledger("token list --data-dir " + DataDir()).out;
  for (const std::string& secret : {operator_, writer}) {
    EXPECT_EQ(logs.find(secret.substr(4)), std::string::npos) << "a secret in a log line";
    EXPECT_EQ(seen_.find(secret.substr(4)), std::string::npos) << "a secret in a response";
  }
}

TEST_F(AuthTest, AMalformedSpoolRequestIsAnsweredWithAnErrorAndAppendsNothing) {
  server_.Start();
  std::string spool = DataDir() + "/spool";
  for (const char* text : {"operation=create\nid=tok_1\nname=has space\n", "garbage", ""}) {
    std::string request_id = "bad" + std::to_string(std::strlen(text));
    std::ofstream(spool + "/" + request_id + ".tmp") << text;
    std::filesystem::rename(spool + "/" + request_id + ".tmp",
                            spool + "/" + request_id + ".request");
    std::string result;
    for (int i = 0; i < 200 && result.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      std::ifstream answer(spool + "/" + request_id + ".result");
      std::getline(answer, result);
    }
    EXPECT_EQ(result.rfind("error ", 0), 0u) << "answered with an error: " << result;
    EXPECT_FALSE(std::filesystem::exists(spool + "/" + request_id + ".request"))
        << "and taken away";
  }
  EXPECT_NE(server_.Log().find("token request rejected"), std::string::npos);
  HttpResult page = Send("GET", kOrgA + "/feature-flags", "");
  EXPECT_EQ(page.status, 200) << "no token was created, so the server is still open";
  EXPECT_EQ(page.Header("Flagledger-Event-Sequence"), "0") << "nothing was appended";
}

TEST_F(AuthTest, AuthOnWithoutTokensRefusesEverything) {
  ServerProcess strict(DataDir(), {"--auth", "on"});
  strict.Start();
  HttpClient client(strict.port());
  EXPECT_EQ(client.Send("GET", kOrgA + "/feature-flags").status, 401);
  EXPECT_EQ(client.Send("POST", kOrgA + "/feature-flags", R"({"flag_key":"f"})").status, 401);
  EXPECT_EQ(client.Send("GET", "/readyz").status, 200);
}

TEST_F(AuthTest, NetworkAddressesNeedAuthenticationUnlessInsecureIsGiven) {
  CommandResult refused =
      RunFlagledger("serve --data-dir " + DataDir() + " --listen 0.0.0.0:0 --auth off");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.out.find("--insecure"), std::string::npos) << refused.out;

  ServerProcess insecure(DataDir(), {"--listen", "0.0.0.0:0", "--auth", "off", "--insecure"});
  insecure.Start();
  EXPECT_NE(insecure.Log().find("authentication is off"), std::string::npos);
  HttpClient open(insecure.port());
  EXPECT_EQ(open.Send("POST", kOrgA + "/feature-flags", R"({"flag_key":"f"})").status, 201);
  insecure.Stop();

  ServerProcess network(DataDir(), {"--listen", "0.0.0.0:0"});  // default: on, even without tokens
  network.Start();
  HttpClient closed(network.port());
  EXPECT_EQ(closed.Send("GET", kOrgA + "/feature-flags/f").status, 401);
}

TEST_F(AuthTest, TokenCommandExplainsBadUsage) {
  std::string base = "token create --data-dir " + DataDir();
  EXPECT_EQ(RunFlagledger(base + " --org org-a --role owner --name x").exit_code, 2);
  CommandResult star = RunFlagledger(base + " --org '*' --role read --name x");
  EXPECT_EQ(star.exit_code, 2);
  EXPECT_NE(star.out.find("needs --role admin"), std::string::npos) << star.out;
  EXPECT_EQ(RunFlagledger(base + " --org 'bad org' --role read --name x").exit_code, 2);
  EXPECT_EQ(RunFlagledger(base + " --role read --name x").exit_code, 2);
  EXPECT_EQ(RunFlagledger("token frobnicate --data-dir x").exit_code, 2);
  CommandResult help = RunFlagledger("token --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("flagledger token create"), std::string::npos);
  EXPECT_EQ(RunFlagledger("token list --data-dir " + DataDir()).out.find("tok_"), std::string::npos)
      << "nothing was created by the bad commands";
}

}  // namespace
}  // namespace flagledger

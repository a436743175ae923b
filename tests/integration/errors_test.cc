// Every error of docs/api.md ("Errors") the flag endpoints can give, each checked to have appended
// nothing to the log.
#include <gtest/gtest.h>

#include "tests/testing/server_test.h"

namespace flagledger {
namespace {

class Errors : public ServerTest {
 protected:
  void SetUp() override {
    HttpResult created = Post(Base(), R"({"flag_key":"existing","enabled":true})");
    ASSERT_EQ(created.status, 201) << created.body;
    existing_ = created.body;
    sequence_before_ = Sequence();
  }
  // Every test ends by checking that its rejected requests changed nothing.
  void TearDown() override {
    EXPECT_EQ(Sequence(), sequence_before_) << "a rejected request appended an event";
    EXPECT_EQ(Get(Base() + "/existing").body, existing_);
  }
  std::string Flag() const { return Base() + "/existing"; }

  std::string existing_;
  std::uint64_t sequence_before_ = 0;
};

TEST_F(Errors, MalformedJsonIsInvalidJson) {
  for (std::string body : {"{", "{\"flag_key\":}", "{\"a\":1} trailing", "{'a':1}", "{\"a\":1,}"}) {
    ExpectProblem(Post(Base(), body), 400, "invalid_json");
    ExpectProblem(Put(Flag(), body), 400, "invalid_json");
    ExpectProblem(Patch(Flag() + "/rollout", body), 400, "invalid_json");
  }
}

TEST_F(Errors, ABodyThatIsNotAnObjectIsInvalidJson) {
  for (std::string body : {"[]", "\"text\"", "42", "null", "true"}) {
    ExpectProblem(Post(Base(), body), 400, "invalid_json");
  }
}

TEST_F(Errors, AnEmptyBodyIsInvalidJson) {
  HttpResult result = Post(Base(), "", {{"Content-Type", "application/json"}});
  ExpectProblem(result, 400, "invalid_json");
}

TEST_F(Errors, NonUtf8IsInvalidJson) {
  HttpResult result = Post(Base(), "{\"flag_key\":\"caf\xe9\"}");
  ExpectProblem(result, 400, "invalid_json");
  EXPECT_NE(result.body.find("not valid UTF-8"), std::string::npos);
}

TEST_F(Errors, BadPageOrLimitIsInvalidQuery) {
  for (std::string query :
       {"page=0", "page=-1", "page=abc", "page=", "page=1.5", "limit=0", "limit=101", "limit=ten",
        "page=99999999999999999999", "page=%zz", "page=1&page=2"}) {
    ExpectProblem(Get(Base() + "?" + query), 400, "invalid_query");
  }
}

TEST_F(Errors, UnknownQueryParametersAreInvalidQuery) {
  HttpResult result = Get(Base() + "?pgae=2");
  ExpectProblem(result, 400, "invalid_query");
  EXPECT_NE(result.body.find("unknown query parameter 'pgae'"), std::string::npos);
  ExpectProblem(Get(Flag() + "?page=1"), 400, "invalid_query");
  ExpectProblem(Put(Flag() + "?x=1", R"({"enabled":false})"), 400, "invalid_query");
}

TEST_F(Errors, BadOrganizationIdIsInvalidOrganizationId) {
  for (std::string org : std::vector<std::string>{"-org", "org%20a", "org%2Fa",
                                                  std::string(129, 'o'), "%C3%A4", "org%zz"}) {
    std::string base = "/api/v1/organizations/" + org + "/feature-flags";
    ExpectProblem(Get(base), 400, "invalid_organization_id");
    ExpectProblem(Post(base, R"({"flag_key":"x"})"), 400, "invalid_organization_id");
    ExpectProblem(Delete(base + "/x"), 400, "invalid_organization_id");
  }
}

TEST_F(Errors, BadFlagKeyIsInvalidFlagKey) {
  for (std::string key :
       std::vector<std::string>{"_x", "x%20y", "x%2Fy", std::string(129, 'k'), "%2E"}) {
    ExpectProblem(Get(Base() + "/" + key), 400, "invalid_flag_key");
    ExpectProblem(Put(Base() + "/" + key, R"({"enabled":true})"), 400, "invalid_flag_key");
    ExpectProblem(Patch(Base() + "/" + key + "/rollout", R"({"min_version":null})"), 400,
                  "invalid_flag_key");
    ExpectProblem(Delete(Base() + "/" + key), 400, "invalid_flag_key");
  }
}

TEST_F(Errors, ALongestKeyIsAccepted) {
  EXPECT_EQ(Get(Base() + "/" + std::string(128, 'k')).status, 404);
}

TEST_F(Errors, UnknownFlagIsFlagNotFound) {
  HttpResult result = Get(Base() + "/missing");
  EXPECT_EQ(
      result.body,
      R"({"type":"about:blank","title":"Not Found","status":404,"detail":"flag 'missing' does not exist in organization ')" +
          Org() + R"('","code":"flag_not_found"})");
  ExpectProblem(result, 404, "flag_not_found");
  ExpectProblem(Put(Base() + "/missing", R"({"enabled":true})"), 404, "flag_not_found");
  ExpectProblem(Patch(Base() + "/missing/rollout", R"({"min_version":"1.0.0"})"), 404,
                "flag_not_found");
  ExpectProblem(Delete(Base() + "/missing"), 404, "flag_not_found");
}

TEST_F(Errors, ADeletedFlagIsFlagNotFound) {
  ASSERT_EQ(Post(Base(), R"({"flag_key":"short-lived"})").status, 201);
  ASSERT_EQ(Delete(Base() + "/short-lived").status, 200);
  sequence_before_ = Sequence();
  ExpectProblem(Delete(Base() + "/short-lived"), 404, "flag_not_found");
  ExpectProblem(Put(Base() + "/short-lived", R"({"enabled":true})"), 404, "flag_not_found");
}

TEST_F(Errors, UnknownPathIsRouteNotFound) {
  for (std::string path : {"/", "/nope", "/api/v1", "/api/v1/organizations/org-a",
                           "/api/v1/organizations/org-a/feature-flags/x/y",
                           "/api/v1/organizations/org-a/feature-flags/",
                           "/api/v2/organizations/org-a/feature-flags"}) {
    ExpectProblem(Get(path), 404, "route_not_found");
  }
  ExpectProblem(Post("/api/v1/organizations/org-a/flags", R"({"flag_key":"x"})"), 404,
                "route_not_found");
}

TEST_F(Errors, WrongMethodIsMethodNotAllowedWithAllow) {
  HttpResult on_list = Patch(Base(), "{}");
  ExpectProblem(on_list, 405, "method_not_allowed");
  EXPECT_EQ(on_list.Header("Allow"), "GET, HEAD, POST");
  HttpResult on_flag = Post(Flag(), R"({"flag_key":"x"})");
  ExpectProblem(on_flag, 405, "method_not_allowed");
  EXPECT_EQ(on_flag.Header("Allow"), "GET, HEAD, PUT, DELETE");
  HttpResult on_rollout = Get(Flag() + "/rollout");
  ExpectProblem(on_rollout, 405, "method_not_allowed");
  EXPECT_EQ(on_rollout.Header("Allow"), "PATCH");
  HttpResult on_health = Delete("/healthz");
  ExpectProblem(on_health, 405, "method_not_allowed");
  EXPECT_EQ(on_health.Header("Allow"), "GET, HEAD");
}

TEST_F(Errors, AnExistingKeyIsFlagExists) {
  HttpResult result = Post(Base(), R"({"flag_key":"existing"})");
  ExpectProblem(result, 409, "flag_exists");
  EXPECT_NE(result.body.find("\"title\":\"Conflict\""), std::string::npos);
}

TEST_F(Errors, ABodyOver64KiBIsPayloadTooLarge) {
  std::string padded = R"({"flag_key":"big")" + std::string(64 * 1024, ' ') + "}";
  HttpResult result = Post(Base(), padded);
  ExpectProblem(result, 413, "payload_too_large");
  HttpResult on_put = Put(Flag(), R"({"enabled":false)" + std::string(64 * 1024, ' ') + "}");
  ExpectProblem(on_put, 413, "payload_too_large");
}

TEST_F(Errors, ABodyOfExactly64KiBIsAccepted) {
  std::string body = R"({"flag_key":"exactly-64k"})";
  body.insert(body.size() - 1, std::string(64 * 1024 - body.size(), ' '));
  ASSERT_EQ(body.size(), 64u * 1024);
  HttpResult result = Post(Base(), body);
  EXPECT_EQ(result.status, 201) << result.body;
  sequence_before_ = Sequence();
}

TEST_F(Errors, ANonJsonBodyIsUnsupportedMediaType) {
  for (std::string type : {"text/plain", "application/x-www-form-urlencoded", "application/xml",
                           "application/json; charset=latin1", "application/merge-patch+json"}) {
    ExpectProblem(Post(Base(), R"({"flag_key":"x"})", {{"Content-Type", type}}), 415,
                  "unsupported_media_type");
    ExpectProblem(Put(Flag(), R"({"enabled":false})", {{"Content-Type", type}}), 415,
                  "unsupported_media_type");
  }
  ExpectProblem(
      Patch(Flag() + "/rollout", R"({"min_version":null})", {{"Content-Type", "text/plain"}}), 415,
      "unsupported_media_type");
}

TEST_F(Errors, AMissingContentTypeIsUnsupportedMediaType) {
  HttpResult result = client_.Send("POST", Base(), R"({"flag_key":"x"})", {{"Content-Type", ""}});
  ExpectProblem(result, 415, "unsupported_media_type");
}

TEST_F(Errors, MediaTypeMatchingIgnoresCaseAndAcceptsUtf8) {
  HttpResult result =
      Put(Flag(), R"({"enabled":true})", {{"Content-Type", "Application/JSON; charset=UTF-8"}});
  EXPECT_EQ(result.status, 200) << result.body;
  sequence_before_ = Sequence();
  existing_ = result.body;
}

TEST_F(Errors, UnknownMembersAreValidationFailed) {
  HttpResult result = Put(Flag(), R"({"enabeld":false})");
  ExpectProblem(result, 422, "validation_failed");
  EXPECT_NE(result.body.find(R"("errors":[{"field":"enabeld","message":"is not a known member"})"),
            std::string::npos)
      << result.body;
  ExpectProblem(Post(Base(), R"({"flag_key":"x","created_at":"2026-01-01T00:00:00Z"})"), 422,
                "validation_failed");
  ExpectProblem(Patch(Flag() + "/rollout", R"({"min_version":null,"enabled":true})"), 422,
                "validation_failed");
}

TEST_F(Errors, WrongTypesAreValidationFailed) {
  for (std::string body :
       {R"({"enabled":"true"})", R"({"enabled":1})", R"({"enabled":null})",
        R"({"rollout_condition":"2.0.0"})", R"({"rollout_condition":{"min_version":2}})",
        R"({"rollout_condition":{"activation_date":20260101}})"}) {
    ExpectProblem(Put(Flag(), body), 422, "validation_failed");
  }
  ExpectProblem(Post(Base(), R"({"flag_key":12})"), 422, "validation_failed");
}

TEST_F(Errors, BadSemVerIsValidationFailed) {
  for (std::string version : std::vector<std::string>{"1.0", "01.0.0", "1.0.0-01", "v1.0.0",
                                                      "1.0.0+", std::string(65, '1')}) {
    HttpResult result = Patch(Flag() + "/rollout", R"({"min_version":")" + version + "\"}");
    ExpectProblem(result, 422, "validation_failed");
    EXPECT_NE(result.body.find(R"("field":"min_version")"), std::string::npos) << result.body;
  }
  HttpResult nested = Post(Base(), R"({"flag_key":"x","rollout_condition":{"min_version":"1.2"}})");
  EXPECT_NE(nested.body.find(R"("field":"rollout_condition.min_version")"), std::string::npos);
}

TEST_F(Errors, BadDatesAreValidationFailed) {
  for (std::string date :
       {"2026-01-01", "2026-02-30T00:00:00Z", "2026-01-01T00:00:00", "2026-01-01T00:00:00.5Z",
        "2026-01-01T00:00:00.000001+01:00", "yesterday"}) {
    HttpResult result = Patch(Flag() + "/rollout", R"({"activation_date":")" + date + "\"}");
    ExpectProblem(result, 422, "validation_failed");
    EXPECT_NE(result.body.find(R"("field":"activation_date")"), std::string::npos) << result.body;
  }
}

TEST_F(Errors, MissingRequiredMembersAreValidationFailed) {
  HttpResult no_key = Post(Base(), R"({"enabled":true})");
  ExpectProblem(no_key, 422, "validation_failed");
  EXPECT_NE(no_key.body.find(R"({"field":"flag_key","message":"is required"})"), std::string::npos);
  ExpectProblem(Put(Flag(), "{}"), 422, "validation_failed");
  ExpectProblem(Put(Flag(), R"({"flag_key":"existing","updated_at":"x"})"), 422,
                "validation_failed");
  ExpectProblem(Patch(Flag() + "/rollout", "{}"), 422, "validation_failed");
}

TEST_F(Errors, ReadOnlyMembersThatDifferAreValidationFailed) {
  HttpResult result = Put(Flag(), R"({"enabled":false,"flag_key":"other"})");
  ExpectProblem(result, 422, "validation_failed");
  EXPECT_NE(result.body.find(R"("field":"flag_key")"), std::string::npos);
  ExpectProblem(Put(Flag(), R"({"enabled":false,"organization_id":"someone-else"})"), 422,
                "validation_failed");
  ExpectProblem(Post(Base(), R"({"flag_key":"x","organization_id":"someone-else"})"), 422,
                "validation_failed");
}

TEST_F(Errors, AnInvalidKeyInTheBodyIsValidationFailed) {
  HttpResult result = Post(Base(), R"({"flag_key":"has space"})");
  ExpectProblem(result, 422, "validation_failed");
  ExpectProblem(Post(Base(), R"({"flag_key":""})"), 422, "validation_failed");
}

TEST_F(Errors, ValidationListsEveryBrokenRule) {
  HttpResult result = Put(
      Flag(),
      R"({"enabled":"yes","rollout_condition":{"min_version":"x","activation_date":"y"},"extra":1})");
  ExpectProblem(result, 422, "validation_failed");
  for (const char* field :
       {"enabled", "rollout_condition.min_version", "rollout_condition.activation_date", "extra"}) {
    EXPECT_NE(result.body.find(std::string(R"("field":")") + field + "\""), std::string::npos)
        << field << " in " << result.body;
  }
}

TEST_F(Errors, MalformedHttpNeverCrashesTheServer) {
  HttpClient raw(server_->port());
  for (std::string junk :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
        std::string("\x00\x01\x02\r\n\r\n", 7),
        std::string("POST /api/v1/organizations/o/feature-flags HTTP/1.1\r\n"
                    "Content-Length: 99999999999999999999\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nX: ") + std::string(20000, 'x') + "\r\n\r\n"}) {
    raw.SendRaw(junk, 500);
  }
  EXPECT_EQ(Get("/healthz").status, 200);
}

}  // namespace
}  // namespace flagledger

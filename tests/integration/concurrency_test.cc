// Optimistic concurrency and safe retries (docs/api.md, "Concurrency and retries") against the
// real server.
#include <gtest/gtest.h>

#include "tests/testing/server_test.h"

namespace flagledger {
namespace {

using Concurrency = ServerTest;

TEST_F(Concurrency, SingleFlagResponsesCarryTheVersionAsETag) {
  EXPECT_EQ(Create(R"({"flag_key":"x"})").Header("ETag"), "\"1\"");
  EXPECT_EQ(Get(Base() + "/x").Header("ETag"), "\"1\"");
  EXPECT_EQ(Put(Base() + "/x", R"({"enabled":true})").Header("ETag"), "\"2\"");
  EXPECT_EQ(Patch(Base() + "/x/rollout", R"({"min_version":"1.0.0"})").Header("ETag"), "\"3\"");
  EXPECT_EQ(Get(Base() + "/x?as_of_event=" + std::to_string(Sequence() - 1)).Header("ETag"),
            "\"2\"");
  EXPECT_FALSE(Get(Base()).HasHeader("ETag")) << "lists have no single version";
}

TEST_F(Concurrency, AnUnchangedFlagAnswers304) {
  Create(R"({"flag_key":"x"})");
  for (std::string tag : {"\"1\"", "W/\"1\"", "*", "\"7\", \"1\""}) {
    HttpResult cached = Get(Base() + "/x", {{"If-None-Match", tag}});
    EXPECT_EQ(cached.status, 304) << tag;
    EXPECT_EQ(cached.body, "");
    EXPECT_EQ(cached.Header("ETag"), "\"1\"");
    EXPECT_FALSE(cached.Header("X-Request-Id").empty());
  }
  Put(Base() + "/x", R"({"enabled":true})");
  HttpResult changed = Get(Base() + "/x", {{"If-None-Match", "\"1\""}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.Header("ETag"), "\"2\"");
}

TEST_F(Concurrency, AStaleIfMatchIsPreconditionFailedAndAppendsNothing) {
  Create(R"({"flag_key":"x"})");
  Put(Base() + "/x", R"({"enabled":true})");
  std::uint64_t before = Sequence();
  for (std::string tag : {"\"1\"", "W/\"2\"", "garbage", "\"two\""}) {
    ExpectProblem(Put(Base() + "/x", R"({"enabled":false})", {{"If-Match", tag}}), 412,
                  "precondition_failed");
    ExpectProblem(Patch(Base() + "/x/rollout", R"({"min_version":"2.0.0"})", {{"If-Match", tag}}),
                  412, "precondition_failed");
    ExpectProblem(Delete(Base() + "/x", {{"If-Match", tag}}), 412, "precondition_failed");
  }
  EXPECT_EQ(Sequence(), before);
  EXPECT_NE(Get(Base() + "/x").body.find("\"enabled\":true"), std::string::npos);
}

TEST_F(Concurrency, AMatchingIfMatchLetsTheWriteThrough) {
  Create(R"({"flag_key":"x"})");
  HttpResult updated = Put(Base() + "/x", R"({"enabled":true})", {{"If-Match", "\"1\""}});
  EXPECT_EQ(updated.status, 200);
  EXPECT_EQ(updated.Header("ETag"), "\"2\"");
  EXPECT_EQ(
      Patch(Base() + "/x/rollout", R"({"min_version":"1.0.0"})", {{"If-Match", "\"9\", \"2\""}})
          .status,
      200);
  EXPECT_EQ(Delete(Base() + "/x", {{"If-Match", "*"}}).status, 200);
}

TEST_F(Concurrency, IfMatchOnAMissingFlagIsNotFound) {
  ExpectProblem(Put(Base() + "/ghost", R"({"enabled":true})", {{"If-Match", "*"}}), 404,
                "flag_not_found");
}

TEST_F(Concurrency, ARetryWithTheSameKeyReplaysTheFirstResponse) {
  HeaderList key = {{"Idempotency-Key", "create-once-1"}};
  HttpResult first = Post(Base(), R"({"flag_key":"x","enabled":true})", key);
  ASSERT_EQ(first.status, 201);
  std::uint64_t after_first = Sequence();
  HttpResult retry = Post(Base(), R"({"flag_key":"x","enabled":true})", key);
  EXPECT_EQ(retry.status, 201);
  EXPECT_EQ(retry.body, first.body) << "byte for byte";
  EXPECT_EQ(retry.Header("Location"), first.Header("Location"));
  EXPECT_EQ(retry.Header("ETag"), first.Header("ETag"));
  EXPECT_EQ(retry.Header("Content-Type"), first.Header("Content-Type"));
  EXPECT_EQ(retry.Header("Idempotent-Replayed"), "true");
  EXPECT_FALSE(first.HasHeader("Idempotent-Replayed"));
  EXPECT_EQ(Sequence(), after_first) << "a replay appends nothing";
}

TEST_F(Concurrency, EveryWriteMethodHonoursIdempotencyKeys) {
  Create(R"({"flag_key":"x"})");
  HeaderList put_key = {{"Idempotency-Key", "put-1"}}, patch_key = {{"Idempotency-Key", "patch-1"}},
             delete_key = {{"Idempotency-Key", "delete-1"}};
  HttpResult put = Put(Base() + "/x", R"({"enabled":true})", put_key);
  HttpResult patch = Patch(Base() + "/x/rollout", R"({"min_version":"1.0.0"})", patch_key);
  HttpResult removed = Delete(Base() + "/x", delete_key);
  std::uint64_t after = Sequence();
  EXPECT_EQ(Put(Base() + "/x", R"({"enabled":true})", put_key).body, put.body);
  EXPECT_EQ(Patch(Base() + "/x/rollout", R"({"min_version":"1.0.0"})", patch_key).body, patch.body);
  HttpResult removed_again = Delete(Base() + "/x", delete_key);
  EXPECT_EQ(removed_again.status, 200) << "not 404: the first answer again";
  EXPECT_EQ(removed_again.body, removed.body);
  EXPECT_EQ(Sequence(), after);
}

TEST_F(Concurrency, TheSameKeyWithAnotherRequestIsRefused) {
  HeaderList key = {{"Idempotency-Key", "reused-1"}};
  ASSERT_EQ(Post(Base(), R"({"flag_key":"x"})", key).status, 201);
  std::uint64_t before = Sequence();
  ExpectProblem(Post(Base(), R"({"flag_key":"y"})", key), 422, "idempotency_key_reused");
  ExpectProblem(Put(Base() + "/x", R"({"enabled":true})", key), 422, "idempotency_key_reused");
  ExpectProblem(Post(Base() + "?", R"({"flag_key":"x"})", key), 422, "idempotency_key_reused");
  EXPECT_EQ(Sequence(), before);
  EXPECT_EQ(Get(Base() + "/y").status, 404);
}

TEST_F(Concurrency, KeysAreScopedToTheOrganization) {
  HeaderList key = {{"Idempotency-Key", "shared-name"}};
  ASSERT_EQ(Post(Base(), R"({"flag_key":"x"})", key).status, 201);
  HttpResult elsewhere =
      Post("/api/v1/organizations/" + Org() + "-other/feature-flags", R"({"flag_key":"x"})", key);
  EXPECT_EQ(elsewhere.status, 201);
  EXPECT_FALSE(elsewhere.HasHeader("Idempotent-Replayed"));
}

TEST_F(Concurrency, AnErrorDecidedByTheStoreIsReplayedToo) {
  HeaderList key = {{"Idempotency-Key", "conflict-1"}};
  Create(R"({"flag_key":"x"})");
  HttpResult conflict = Post(Base(), R"({"flag_key":"x"})", key);
  ExpectProblem(conflict, 409, "flag_exists");
  Delete(Base() + "/x");
  HttpResult retry = Post(Base(), R"({"flag_key":"x"})", key);
  EXPECT_EQ(retry.status, 409) << "the first answer, although the flag is gone now";
  EXPECT_EQ(retry.body, conflict.body);
  EXPECT_EQ(Get(Base() + "/x").status, 404);
}

TEST_F(Concurrency, AnInvalidKeyIsValidationFailed) {
  std::uint64_t before = Sequence();
  for (std::string key :
       {std::string(256, 'k'), std::string("with space"), std::string("caf\xc3\xa9")}) {
    HttpResult result = Post(Base(), R"({"flag_key":"x"})", {{"Idempotency-Key", key}});
    ExpectProblem(result, 422, "validation_failed");
    EXPECT_NE(result.body.find(R"("field":"Idempotency-Key")"), std::string::npos) << result.body;
  }
  EXPECT_EQ(Sequence(), before);
  EXPECT_EQ(
      Post(Base(), R"({"flag_key":"x"})", {{"Idempotency-Key", std::string(255, 'k')}}).status,
      201);
}

TEST_F(Concurrency, ConcurrentRetriesCreateOnce) {
  std::vector<std::thread> clients;
  std::atomic<int> created{0}, replayed{0};
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&] {
      HttpClient client(server_->port());
      HttpResult result =
          client.Send("POST", Base(), R"({"flag_key":"once"})", {{"Idempotency-Key", "race-1"}});
      if (result.status == 201) (result.HasHeader("Idempotent-Replayed") ? replayed : created)++;
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(replayed.load(), 7);
  EXPECT_EQ(Events(), 1u);
}

}  // namespace
}  // namespace flagledger

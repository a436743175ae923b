// The Api without sockets: the answers that need a store in a particular state.
#include "http/api.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "tests/testing/manual_clock.h"
#include "tests/testing/route_paths.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

// Handles one request and waits for its answer (a write answers from the writer thread).
HttpResponse Call(Api& api, std::string_view method, std::string_view target,
                  std::string_view body = "") {
  std::promise<HttpResponse> answer;
  HttpRequest request;
  request.method = method;
  request.target = target;
  request.content_type = "application/json";
  request.body = body;
  request.request_id = "req-1";
  api.Handle(request, [&](HttpResponse response) { answer.set_value(std::move(response)); });
  auto future = answer.get_future();
  EXPECT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  return future.get();
}

// A log in a temporary directory, a store on it (not started yet) and the Api in front of it.
struct ApiOverLog {
  TempDir dir;
  std::unique_ptr<EventLog> log = EventLog::Open(dir.path(), EventLogOptions{}).value();
  ManualClock clock;
  FlagStore store{*log, clock};
  Api api{store};
};

// Every method of every route in the table reaches a handler: a method added to a route (or a
// route added) without a case in Api::Dispatch answers 500 "no handler serves".
TEST(Api, EveryRouteAndMethodHasAHandler) {
  ApiOverLog server;
  ASSERT_TRUE(server.store.Start().ok());
  Api& api = server.api;
  for (const RouteInfo& route : kRoutes) {
    std::string path = PathOf(route);
    for (const std::string& method : MethodsOf(route)) {
      HttpResponse answer =
          Call(api, method, path, method == "POST" ? R"({"flag_key":"beta"})" : "{}");
      EXPECT_EQ(answer.body_bytes().find("no handler serves"), std::string_view::npos)
          << method << " " << path << ": " << answer.body_bytes();
      EXPECT_NE(answer.status, 500) << method << " " << path << ": " << answer.body_bytes();
      EXPECT_NE(answer.status, 405) << method << " " << path;
    }
  }
}

TEST(Api, AnswersUnavailableUntilTheProjectionIsBuilt) {
  ApiOverLog server;
  FlagStore& store = server.store;
  Api& api = server.api;
  EXPECT_EQ(Call(api, "GET", "/healthz").status, 200);
  HttpResponse ready = Call(api, "GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.content_type, MediaType::kProblemJson);
  EXPECT_NE(ready.body.find(R"("code":"unavailable")"), std::string::npos);
  EXPECT_EQ(Call(api, "GET", "/api/v1/organizations/o/feature-flags").status, 503);
  EXPECT_EQ(Call(api, "DELETE", "/api/v1/organizations/o/feature-flags/x").status, 503);

  ASSERT_TRUE(store.Start().ok());
  EXPECT_EQ(Call(api, "GET", "/readyz").status, 200);
  EXPECT_EQ(Call(api, "GET", "/api/v1/organizations/o/feature-flags").status, 200);
}

TEST(Api, AnswersUnavailableWhileShuttingDown) {
  ApiOverLog server;
  FlagStore& store = server.store;
  Api& api = server.api;
  ASSERT_TRUE(store.Start().ok());
  EXPECT_EQ(Call(api, "GET", "/api/v1/replication/checkpoint").status, 200);
  api.BeginShutdown();
  EXPECT_EQ(Call(api, "GET", "/readyz").status, 503);
  EXPECT_EQ(Call(api, "GET", "/healthz").status, 200);
  // Blocking work is no longer taken: its thread is stopped before the server goes.
  HttpResponse checkpoint = Call(api, "GET", "/api/v1/replication/checkpoint");
  EXPECT_EQ(checkpoint.status, 503);
  EXPECT_NE(checkpoint.body.find("the server is shutting down"), std::string::npos);
  store.Stop();
  HttpResponse write = Call(api, "DELETE", "/api/v1/organizations/o/feature-flags/x");
  EXPECT_EQ(write.status, 503);
  EXPECT_NE(write.body.find(R"("code":"unavailable")"), std::string::npos);
  EXPECT_EQ(server.log->last_sequence(), 0u);
}

}  // namespace
}  // namespace flagledger

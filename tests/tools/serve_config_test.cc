#include "tools/serve_config.h"

#include <gtest/gtest.h>

namespace flagledger {
namespace {

const char* NoEnvironment(const char*) { return nullptr; }

Result<ServeConfig> Parse(std::vector<std::string> args) {
  return ParseServeConfig(args, &NoEnvironment);
}

TEST(ServeConfig, AuthDefaultsToAutoOnLoopbackAndOnElsewhere) {
  EXPECT_EQ(Parse({})->auth, AuthMode::kAuto);
  EXPECT_EQ(Parse({"--listen", "[::1]:80"})->auth, AuthMode::kAuto);
  EXPECT_EQ(Parse({"--listen", "0.0.0.0:80"})->auth, AuthMode::kOn);
  EXPECT_EQ(Parse({"--listen", "10.0.0.7:80"})->auth, AuthMode::kOn);
  EXPECT_EQ(Parse({"--auth", "on"})->auth, AuthMode::kOn);
  EXPECT_EQ(Parse({"--auth", "off"})->auth, AuthMode::kOff);
}

TEST(ServeConfig, RefusesAuthOffOnTheNetworkWithoutInsecure) {
  auto refused = Parse({"--listen", "0.0.0.0:8080", "--auth", "off"});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().detail().find("--insecure"), std::string::npos);
  auto allowed = Parse({"--listen", "0.0.0.0:8080", "--auth", "off", "--insecure"});
  ASSERT_TRUE(allowed.ok());
  EXPECT_EQ(allowed->auth, AuthMode::kOff);
}

TEST(ServeConfig, LimitsHaveDefaultsAndBounds) {
  ServeConfig defaults = Parse({}).value();
  EXPECT_EQ(defaults.server.body_limit, 64u * 1024);
  EXPECT_EQ(defaults.server.header_limit, 16u * 1024);
  EXPECT_EQ(defaults.commit_delay_us, 1000u);
  EXPECT_TRUE(defaults.server.batch_scheduling);
  EXPECT_FALSE(Parse({"--http-sched", "normal"})->server.batch_scheduling);
  EXPECT_TRUE(Parse({"--http-sched=batch"})->server.batch_scheduling);
  EXPECT_EQ(defaults.server.max_connections, 1024u);
  EXPECT_EQ(defaults.server.request_timeout, std::chrono::seconds(10));
  EXPECT_EQ(defaults.server.idle_timeout, std::chrono::seconds(60));
  ServeConfig set =
      Parse({"--max-connections", "20", "--max-header-bytes", "4096", "--max-body-bytes=2048",
             "--request-timeout", "2", "--idle-timeout", "3"})
          .value();
  EXPECT_EQ(set.server.max_connections, 20u);
  EXPECT_EQ(set.server.header_limit, 4096u);
  EXPECT_EQ(set.server.body_limit, 2048u);
  EXPECT_EQ(set.server.request_timeout, std::chrono::seconds(2));
  EXPECT_EQ(set.server.idle_timeout, std::chrono::seconds(3));
  ServeConfig sized = Parse({"--threads", "3", "--cache-mb", "64", "--commit-delay-us", "1500",
                             "--page-cache-mb", "0"})
                          .value();
  EXPECT_EQ(sized.server.threads, 3);
  EXPECT_EQ(sized.cache_mb, 64u);
  EXPECT_EQ(sized.commit_delay_us, 1500u);
  EXPECT_EQ(sized.page_cache_mb, 0u);
  EXPECT_EQ(Parse({}).value().page_cache_mb, 64u);
  for (std::vector<std::string> bad : {std::vector<std::string>{"--max-connections", "0"},
                                       {"--max-header-bytes", "10"},
                                       {"--request-timeout", "-1"},
                                       {"--idle-timeout", "x"},
                                       {"--auth", "maybe"},
                                       {"--threads", "0"},
                                       {"--threads", "257"},
                                       {"--cache-mb", "7"},
                                       {"--cache-mb", "1x"},
                                       {"--commit-delay-us", "100001"},
                                       {"--commit-delay-us", "-5"},
                                       {"--http-sched", "fifo"},
                                       {"--page-cache-mb", "-1"},
                                       {"--page-cache-mb", "1048577"}}) {
    EXPECT_FALSE(Parse(bad).ok()) << bad[0] << " " << bad[1];
  }
}

TEST(ServeConfig, EnvironmentSetsAuthAndLimits) {
  auto environment = [](const char* name) -> const char* {
    std::string_view variable = name;
    if (variable == "FLAGLEDGER_AUTH") return "on";
    if (variable == "FLAGLEDGER_MAX_CONNECTIONS") return "7";
    if (variable == "FLAGLEDGER_COMMIT_DELAY_US") return "0";
    if (variable == "FLAGLEDGER_HTTP_SCHED") return "normal";
    return nullptr;
  };
  ServeConfig config = ParseServeConfig({}, +environment).value();
  EXPECT_EQ(config.auth, AuthMode::kOn);
  EXPECT_EQ(config.server.max_connections, 7u);
  EXPECT_EQ(config.commit_delay_us, 0u);
  EXPECT_FALSE(config.server.batch_scheduling);
}

TEST(ServeConfig, AFollowerBootstrapsFromTheCheckpointUnlessToldToReplay) {
  auto none = [](const char*) -> const char* { return nullptr; };
  EXPECT_TRUE(ParseServeConfig({}, +none).value().bootstrap_from_checkpoint);
  EXPECT_FALSE(ParseServeConfig({"--bootstrap", "feed"}, +none).value().bootstrap_from_checkpoint);
  auto environment = [](const char* name) -> const char* {
    return std::string_view(name) == "FLAGLEDGER_BOOTSTRAP" ? "feed" : nullptr;
  };
  EXPECT_FALSE(ParseServeConfig({}, +environment).value().bootstrap_from_checkpoint);
  EXPECT_TRUE(ParseServeConfig({"--bootstrap", "checkpoint"}, +environment)
                  .value()
                  .bootstrap_from_checkpoint);
  auto bad = ParseServeConfig({"--bootstrap", "backup"}, +none);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().detail().find("must be checkpoint or feed"), std::string::npos);
}

TEST(ServeConfig, AClusterNodeNamesItsEtcdMembersAndItself) {
  auto node = Parse({"--cluster", "etcd=http://127.0.0.1:2379,http://127.0.0.1:22379", "--node-id",
                     "node-1.a_b", "--lease-ttl", "5"});
  ASSERT_TRUE(node.ok()) << node.status().detail();
  EXPECT_EQ(node->etcd_endpoints,
            (std::vector<std::string>{"http://127.0.0.1:2379", "http://127.0.0.1:22379"}));
  EXPECT_EQ(node->node_id, "node-1.a_b");
  EXPECT_EQ(node->lease_ttl_s, 5u);
  EXPECT_TRUE(node->advertise_url.empty());  // the --listen address, once listening
  EXPECT_TRUE(Parse({})->etcd_endpoints.empty());
  EXPECT_EQ(Parse({})->lease_ttl_s, 3u);

  auto environment = [](const char* name) -> const char* {
    std::string_view wanted(name);
    if (wanted == "FLAGLEDGER_CLUSTER") return "etcd=http://e1:2379";
    if (wanted == "FLAGLEDGER_NODE_ID") return "n7";
    if (wanted == "FLAGLEDGER_ADVERTISE") return "http://n7.internal:8080";
    return nullptr;
  };
  auto from_environment =
      ParseServeConfig({"--listen", "0.0.0.0:8080", "--auth", "on"}, environment);
  ASSERT_TRUE(from_environment.ok()) << from_environment.status().detail();
  EXPECT_EQ(from_environment->advertise_url, "http://n7.internal:8080");
}

TEST(ServeConfig, RefusesAClusterNodeItCannotName) {
  auto problem = [](std::vector<std::string> args) {
    auto config = Parse(std::move(args));
    return config.ok() ? std::string() : config.status().detail();
  };
  const std::string etcd = "etcd=http://127.0.0.1:2379";
  EXPECT_NE(problem({"--cluster", etcd}).find("needs --node-id"), std::string::npos);
  EXPECT_NE(problem({"--cluster", "http://127.0.0.1:2379", "--node-id", "a"}).find("etcd=URL"),
            std::string::npos);
  EXPECT_NE(problem({"--cluster", "etcd=127.0.0.1:2379", "--node-id", "a"}).find("http://"),
            std::string::npos);
  EXPECT_NE(problem({"--cluster", "etcd=", "--node-id", "a"}).find("at least one"),
            std::string::npos);
  EXPECT_NE(problem({"--cluster", etcd, "--node-id", "a b"}).find("--node-id"), std::string::npos);
  EXPECT_NE(problem({"--cluster", etcd, "--node-id", std::string(65, 'n')}).find("--node-id"),
            std::string::npos);
  EXPECT_NE(
      problem({"--cluster", etcd, "--node-id", "a", "--listen", "0.0.0.0:8080", "--auth", "on"})
          .find("needs --advertise"),
      std::string::npos);
  EXPECT_NE(problem({"--cluster", etcd, "--node-id", "a", "--advertise", "n1:80"}).find("http://"),
            std::string::npos);
  EXPECT_NE(
      problem({"--cluster", etcd, "--node-id", "a", "--follow", "http://l:1"}).find("not --follow"),
      std::string::npos);
  EXPECT_NE(problem({"--cluster", etcd, "--node-id", "a", "--lease-ttl", "0"}).find("--lease-ttl"),
            std::string::npos);
}

}  // namespace
}  // namespace flagledger

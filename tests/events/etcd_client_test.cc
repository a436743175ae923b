// The etcd client against a real etcd member (Debian's etcd-server): keys, transactions,
// leases, the election API and watches, through the v3 JSON gateway.
#include "events/etcd_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "events/log_keys.h"
#include "tests/testing/etcd_cluster.h"

namespace flagledger {
namespace {

using std::chrono::milliseconds;

class EtcdClientTest : public ::testing::Test {
 protected:
  void SetUp() override { prefix_ = UniqueTestPrefix("test"); }
  EtcdClient Client(const std::atomic<bool>* cancel = nullptr) const {
    return EtcdClient(etcd_.ClientUrls(), milliseconds(2000), cancel);
  }

  EtcdCluster& etcd_ = SharedEtcd();
  std::string prefix_;
};

TEST_F(EtcdClientTest, PutsRangesAndDeletesKeys) {
  EtcdClient etcd = Client();
  for (const char* name : {"a", "b", "c"}) {
    ASSERT_TRUE(etcd.Put({prefix_ + name, std::string("value ") + name, 0}).ok());
  }
  ASSERT_TRUE(etcd.Put({prefix_ + "binary", std::string("\0\xff\x01", 3), 0}).ok());
  auto all = etcd.Range(prefix_, internal::PrefixEnd(prefix_));
  ASSERT_TRUE(all.ok()) << all.status().detail();
  ASSERT_EQ(all->kvs.size(), 4u);
  EXPECT_EQ(all->kvs[0].key, prefix_ + "a");
  EXPECT_EQ(all->kvs[0].value, "value a");
  EXPECT_EQ(all->kvs[2].value, std::string("\0\xff\x01", 3));  // "binary" sorts before "c"
  EXPECT_GT(all->kvs[0].create_revision, 0);
  EXPECT_FALSE(all->more);

  auto limited = etcd.Range(prefix_, internal::PrefixEnd(prefix_), 2);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->kvs.size(), 2u);
  EXPECT_TRUE(limited->more);

  auto one = etcd.Range(prefix_ + "missing");
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->kvs.empty());
  EXPECT_GE(one->revision, all->revision);

  auto deleted = etcd.DeleteRange(prefix_, internal::PrefixEnd(prefix_));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 4);
  EXPECT_TRUE(etcd.Range(prefix_, internal::PrefixEnd(prefix_))->kvs.empty());
}

TEST_F(EtcdClientTest, ATransactionAppliesItsPutsOnlyWhenEveryCompareHolds) {
  EtcdClient etcd = Client();
  const std::string head = prefix_ + "head";
  // A missing key's revisions compare as 0.
  EtcdTxn first;
  first.compare.push_back({head, EtcdCompare::Target::kModRevision, 0, {}});
  first.success_puts.push_back({head, "1", 0});
  first.success_puts.push_back({prefix_ + "log/1", "batch 1", 0});
  first.failure_gets.push_back(head);
  auto done = etcd.Txn(first);
  ASSERT_TRUE(done.ok()) << done.status().detail();
  EXPECT_TRUE(done->succeeded);
  EXPECT_TRUE(done->failure_values.empty());

  // The same compare again fails, reads the head back and writes nothing.
  auto again = etcd.Txn(first);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->succeeded);
  ASSERT_EQ(again->failure_values.size(), 1u);
  ASSERT_TRUE(again->failure_values[0].has_value());
  EXPECT_EQ(again->failure_values[0]->value, "1");
  EXPECT_EQ(again->failure_values[0]->mod_revision, done->revision);
  EXPECT_EQ(again->revision, done->revision);

  EtcdTxn second;
  second.compare.push_back({head, EtcdCompare::Target::kModRevision, done->revision, {}});
  second.compare.push_back({head, EtcdCompare::Target::kValue, 0, "1"});
  second.success_puts.push_back({head, "2", 0});
  auto next = etcd.Txn(second);
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->succeeded);
  EXPECT_EQ(etcd.Range(head)->kvs.at(0).value, "2");

  // A failure read of a key that does not exist answers nullopt.
  EtcdTxn missing;
  missing.compare.push_back({prefix_ + "nothing", EtcdCompare::Target::kCreateRevision, 7, {}});
  missing.failure_gets.push_back(prefix_ + "nothing");
  auto refused = etcd.Txn(missing);
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->succeeded);
  ASSERT_EQ(refused->failure_values.size(), 1u);
  EXPECT_FALSE(refused->failure_values[0].has_value());
}

TEST_F(EtcdClientTest, ALeaseKeepsItsKeysUntilRevoked) {
  EtcdClient etcd = Client();
  auto lease = etcd.LeaseGrant(30);
  ASSERT_TRUE(lease.ok()) << lease.status().detail();
  EXPECT_EQ(lease->ttl_seconds, 30);
  ASSERT_TRUE(etcd.Put({prefix_ + "leased", "x", lease->id}).ok());
  EXPECT_EQ(etcd.Range(prefix_ + "leased")->kvs.at(0).lease, lease->id);
  auto left = etcd.LeaseKeepAlive(lease->id);
  ASSERT_TRUE(left.ok()) << left.status().detail();
  EXPECT_EQ(*left, 30);
  ASSERT_TRUE(etcd.LeaseRevoke(lease->id).ok());
  EXPECT_TRUE(etcd.Range(prefix_ + "leased")->kvs.empty());
  // A gone lease renews to 0.
  auto gone = etcd.LeaseKeepAlive(lease->id);
  ASSERT_TRUE(gone.ok()) << gone.status().detail();
  EXPECT_EQ(*gone, 0);
}

TEST_F(EtcdClientTest, TheElectionHasOneLeaderAtATime) {
  EtcdClient etcd = Client();
  const std::string election = prefix_ + "election";
  EXPECT_FALSE(etcd.Leader(election)->has_value());
  auto first_lease = etcd.LeaseGrant(30);
  auto second_lease = etcd.LeaseGrant(30);
  ASSERT_TRUE(first_lease.ok() && second_lease.ok());
  auto first = etcd.Campaign(election, first_lease->id, "n1 http://a");
  ASSERT_TRUE(first.ok()) << first.status().detail();
  EXPECT_EQ(first->name, election);
  EXPECT_TRUE(first->key.starts_with(election + "/"));
  EXPECT_EQ(first->lease, first_lease->id);
  auto leader = etcd.Leader(election);
  ASSERT_TRUE(leader.ok() && leader->has_value());
  EXPECT_EQ((*leader)->value, "n1 http://a");
  EXPECT_EQ((*leader)->create_revision, first->revision);

  // The second candidate waits until the first resigns.
  auto second = std::async(std::launch::async, [&] {
    EtcdClient own = Client();
    return own.Campaign(election, second_lease->id, "n2 http://b");
  });
  EXPECT_EQ(second.wait_for(milliseconds(300)), std::future_status::timeout);
  ASSERT_TRUE(etcd.Resign(*first).ok());
  ASSERT_EQ(second.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto won = second.get();
  ASSERT_TRUE(won.ok()) << won.status().detail();
  EXPECT_GT(won->revision, first->revision);
  EXPECT_EQ((*etcd.Leader(election))->value, "n2 http://b");
  // The first leader's key is gone: a compare on its create revision now fails.
  EXPECT_TRUE(etcd.Range(first->key)->kvs.empty());
  ASSERT_TRUE(etcd.LeaseRevoke(second_lease->id).ok());
  ASSERT_TRUE(etcd.LeaseRevoke(first_lease->id).ok());
  EXPECT_FALSE(etcd.Leader(election)->has_value());
}

TEST_F(EtcdClientTest, ACampaignEndsWhenCancelled) {
  EtcdClient etcd = Client();
  const std::string election = prefix_ + "election";
  auto holder = etcd.LeaseGrant(30);
  auto waiter = etcd.LeaseGrant(30);
  ASSERT_TRUE(etcd.Campaign(election, holder->id, "holder").ok());
  std::atomic<bool> cancel{false};
  auto blocked = std::async(std::launch::async, [&] {
    EtcdClient own = Client(&cancel);
    return own.Campaign(election, waiter->id, "waiter");
  });
  EXPECT_EQ(blocked.wait_for(milliseconds(200)), std::future_status::timeout);
  cancel.store(true);
  ASSERT_EQ(blocked.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  auto ended = blocked.get();
  EXPECT_FALSE(ended.ok());
  EXPECT_EQ(ended.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ((*etcd.Leader(election))->value, "holder");
  ASSERT_TRUE(etcd.LeaseRevoke(holder->id).ok());
  ASSERT_TRUE(etcd.LeaseRevoke(waiter->id).ok());
}

TEST_F(EtcdClientTest, AWatchStreamsChangesFromARevision) {
  EtcdClient etcd = Client();
  auto before = etcd.Put({prefix_ + "k1", "one", 0});
  ASSERT_TRUE(before.ok());
  std::vector<EtcdWatchEvent> seen;
  std::thread writer([&] {
    std::this_thread::sleep_for(milliseconds(200));
    EtcdClient own = Client();
    ASSERT_TRUE(own.Put({prefix_ + "k2", "two", 0}).ok());
    ASSERT_TRUE(own.DeleteRange(prefix_ + "k1").ok());
  });
  Status watched = etcd.Watch(prefix_, internal::PrefixEnd(prefix_), *before, milliseconds(5000),
                              [&](const EtcdWatchResponse& response) {
                                for (const EtcdWatchEvent& event : response.events) {
                                  seen.push_back(event);
                                }
                                return seen.size() < 3;
                              });
  writer.join();
  ASSERT_TRUE(watched.ok()) << watched.detail();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].kv.key, prefix_ + "k1");  // from the start revision
  EXPECT_EQ(seen[0].kv.value, "one");
  EXPECT_EQ(seen[1].kv.value, "two");
  EXPECT_FALSE(seen[1].deleted);
  EXPECT_TRUE(seen[2].deleted);
  EXPECT_EQ(seen[2].kv.key, prefix_ + "k1");
}

TEST_F(EtcdClientTest, AnIdleWatchReturnsAfterItsIdleTime) {
  EtcdClient etcd = Client();
  auto started = std::chrono::steady_clock::now();
  int responses = 0;
  Status watched = etcd.Watch(prefix_, internal::PrefixEnd(prefix_), 0, milliseconds(300),
                              [&](const EtcdWatchResponse&) {
                                ++responses;
                                return true;
                              });
  EXPECT_TRUE(watched.ok()) << watched.detail();
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(300));
  EXPECT_LE(responses, 1);  // at most the "created" message
}

TEST_F(EtcdClientTest, ALostMemberIsSkippedOnTheNextRequest) {
  std::vector<std::string> endpoints = {"http://127.0.0.1:" + std::to_string(FreeLoopbackPort())};
  for (const std::string& url : etcd_.ClientUrls()) endpoints.push_back(url);
  EtcdClient etcd(endpoints, milliseconds(1000));
  auto first = etcd.Range(prefix_ + "x");
  EXPECT_FALSE(first.ok());
  EXPECT_EQ(first.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(first.status().detail().find(endpoints[0]), std::string::npos);
  auto second = etcd.Range(prefix_ + "x");
  EXPECT_TRUE(second.ok()) << second.status().detail();
}

TEST_F(EtcdClientTest, MemberStatusesNameTheLeader) {
  EtcdClient etcd = Client();
  auto statuses = etcd.MemberStatuses();
  ASSERT_TRUE(statuses.ok()) << statuses.status().detail();
  ASSERT_EQ(statuses->size(), 1u);
  EXPECT_EQ(statuses->front().leader_id, statuses->front().member_id);
  EXPECT_GT(statuses->front().db_size, 0);
  EXPECT_EQ(statuses->front().version.substr(0, 3), "3.4");
}

}  // namespace
}  // namespace flagledger

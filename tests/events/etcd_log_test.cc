// The cluster's log in a real etcd: the fenced writer's appends, and what refuses them.
#include "events/etcd_log.h"

#include <gtest/gtest.h>

#include "events/log_keys.h"
#include "tests/testing/etcd_cluster.h"

namespace flagledger {
namespace {

using std::chrono::milliseconds;

ReplicatedBatch BatchOf(std::uint64_t first, std::size_t events, std::string_view tag = "e") {
  ReplicatedBatch batch;
  batch.first = first;
  batch.last = first + events - 1;
  for (std::size_t i = 0; i < events; ++i) {
    batch.events.push_back("{\"sequence\":" + std::to_string(first + i) + ",\"tag\":\"" +
                           std::string(tag) + "\"}");
  }
  return batch;
}

class EtcdLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.endpoints = etcd_.ClientUrls();
    options_.prefix = UniqueTestPrefix("log-test");
    options_.settle_timeout = milliseconds(2000);
    keys_.prefix = options_.prefix;
  }
  EtcdClient Client() const { return EtcdClient(etcd_.ClientUrls(), milliseconds(2000)); }

  // Elects a writer with a lease of its own; the fence it would be armed with.
  WriterFence Elect(EtcdClient& etcd, std::int64_t& lease) {
    lease = etcd.LeaseGrant(30).value().id;
    EtcdLeaderKey leader = etcd.Campaign(keys_.Election(), lease, "n1 http://n1").value();
    return WriterFence{leader.key, leader.revision, ReadClusterHead(etcd, keys_).value()};
  }

  EtcdCluster& etcd_ = SharedEtcd();
  EtcdLogOptions options_;
  ClusterKeys keys_;
  std::vector<std::string> deposed_;
};

TEST_F(EtcdLogTest, AnArmedWriterAppendsBatchesThatEveryNodeReadsBack) {
  EtcdClient etcd = Client();
  std::int64_t lease = 0;
  EtcdLog log(options_, [&](const std::string& why) { deposed_.push_back(why); });
  log.Arm(Elect(etcd, lease));
  ReplicatedBatch first = BatchOf(1, 1);
  ReplicatedBatch second = BatchOf(2, 3);
  second.records.push_back(
      IdempotencyRecord{std::string("org\0key", 7), Timestamp::FromMicros(5), "PUT /x", "200"});
  ASSERT_TRUE(log.Admit(first).ok());
  ASSERT_TRUE(log.Admit(second).ok());
  ASSERT_TRUE(log.Admit(BatchOf(5, 2)).ok());

  auto head = ReadClusterHead(etcd, keys_);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->sequence, 6u);
  auto read = ReadClusterBatches(etcd, keys_, 0, 10);
  ASSERT_TRUE(read.ok()) << read.status().detail();
  ASSERT_EQ(read->batches.size(), 3u);
  EXPECT_EQ(read->batches[0], first);
  EXPECT_EQ(read->batches[1], second);
  // From a batch boundary, and a limited number of batches.
  auto tail = ReadClusterBatches(etcd, keys_, 1, 1);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->batches.size(), 1u);
  EXPECT_EQ(tail->batches[0], second);
  EXPECT_TRUE(ReadClusterBatches(etcd, keys_, 6, 10)->batches.empty());
  EXPECT_TRUE(deposed_.empty());
  EXPECT_TRUE(log.armed());
  ASSERT_TRUE(etcd.LeaseRevoke(lease).ok());
}

TEST_F(EtcdLogTest, AnUnarmedNodeAppendsNothing) {
  EtcdClient etcd = Client();
  EtcdLog log(options_, nullptr);
  Status refused = log.Admit(BatchOf(1, 1));
  EXPECT_EQ(refused.code(), ErrorCode::kUnavailable);
  EXPECT_NE(refused.detail().find("not the cluster's writer"), std::string::npos);
  EXPECT_EQ(ReadClusterHead(etcd, keys_)->sequence, 0u);
}

TEST_F(EtcdLogTest, AWriterWhoseElectionKeyIsGoneIsDeposedAndAppendsNothing) {
  EtcdClient etcd = Client();
  std::int64_t lease = 0;
  EtcdLog log(options_, [&](const std::string& why) { deposed_.push_back(why); });
  log.Arm(Elect(etcd, lease));
  ASSERT_TRUE(log.Admit(BatchOf(1, 1)).ok());
  // The lease ends (as when a paused writer misses its renewals): its election key goes.
  ASSERT_TRUE(etcd.LeaseRevoke(lease).ok());
  Status refused = log.Admit(BatchOf(2, 1));
  EXPECT_EQ(refused.code(), ErrorCode::kUnavailable);
  ASSERT_EQ(deposed_.size(), 1u);
  EXPECT_FALSE(log.armed());
  EXPECT_EQ(ReadClusterHead(etcd, keys_)->sequence, 1u);
  EXPECT_EQ(ReadClusterBatches(etcd, keys_, 0, 10)->batches.size(), 1u);
  // Disarmed: later batches are refused without asking etcd.
  EXPECT_EQ(log.Admit(BatchOf(2, 1)).code(), ErrorCode::kUnavailable);
  EXPECT_EQ(deposed_.size(), 1u);
}

TEST_F(EtcdLogTest, AWriterWhoseHeadMovedIsDeposed) {
  EtcdClient etcd = Client();
  std::int64_t lease = 0;
  EtcdLog log(options_, [&](const std::string& why) { deposed_.push_back(why); });
  WriterFence fence = Elect(etcd, lease);
  log.Arm(fence);
  // Another writer's append behind this one's back (which the election prevents in a cluster).
  ASSERT_TRUE(etcd.Put({keys_.Head(), "9", 0}).ok());
  EXPECT_EQ(log.Admit(BatchOf(1, 1)).code(), ErrorCode::kUnavailable);
  EXPECT_EQ(deposed_.size(), 1u);
  EXPECT_TRUE(etcd.Range(keys_.Batch(1))->kvs.empty());
  ASSERT_TRUE(etcd.LeaseRevoke(lease).ok());
}

TEST_F(EtcdLogTest, ABatchThatDoesNotFollowTheHeadIsRefused) {
  EtcdClient etcd = Client();
  std::int64_t lease = 0;
  EtcdLog log(options_, [&](const std::string& why) { deposed_.push_back(why); });
  log.Arm(Elect(etcd, lease));
  EXPECT_EQ(log.Admit(BatchOf(2, 1)).code(), ErrorCode::kUnavailable);
  EXPECT_EQ(ReadClusterHead(etcd, keys_)->sequence, 0u);
  EXPECT_EQ(deposed_.size(), 1u);
  ASSERT_TRUE(etcd.LeaseRevoke(lease).ok());
}

TEST_F(EtcdLogTest, ABatchLargerThanOneRequestGoesInPartsAndReadsBackWhole) {
  EtcdClient etcd = Client();
  std::int64_t lease = 0;
  options_.max_batch_bytes = 200;
  EtcdLog log(options_, [&](const std::string& why) { deposed_.push_back(why); });
  log.Arm(Elect(etcd, lease));
  ReplicatedBatch large = BatchOf(1, 20);
  ReplicatedBatch small = BatchOf(21, 1);
  ASSERT_TRUE(log.Admit(large).ok());
  ASSERT_TRUE(log.Admit(small).ok());
  const std::size_t bytes = EncodeReplicatedBatch(large).size();
  auto parts = etcd.Range(keys_.PartsOf(1), internal::PrefixEnd(keys_.PartsOf(1)));
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->kvs.size(), (bytes + 199) / 200);
  auto manifest = DecodeBatchManifest(etcd.Range(keys_.Batch(1))->kvs.at(0).value);
  ASSERT_TRUE(manifest.has_value());
  EXPECT_EQ(manifest->bytes, bytes);
  auto read = ReadClusterBatches(etcd, keys_, 0, 10);
  ASSERT_TRUE(read.ok()) << read.status().detail();
  ASSERT_EQ(read->batches.size(), 2u);
  EXPECT_EQ(read->batches[0], large);
  EXPECT_EQ(read->batches[1], small);
  // A part changed (another writer's leftover) fails the digest; a missing part is an error,
  // not a shorter batch.
  const std::string second_part = etcd.Range(keys_.Part(1, 1))->kvs.at(0).value;
  ASSERT_TRUE(etcd.Put({keys_.Part(1, 1), std::string(second_part.size(), 'x'), 0}).ok());
  EXPECT_EQ(ReadClusterBatches(etcd, keys_, 0, 10).status().code(), ErrorCode::kInternal);
  ASSERT_TRUE(etcd.Put({keys_.Part(1, 1), second_part, 0}).ok());
  EXPECT_TRUE(ReadClusterBatches(etcd, keys_, 0, 10).ok());
  ASSERT_TRUE(etcd.DeleteRange(keys_.Part(1, 1)).ok());
  EXPECT_EQ(ReadClusterBatches(etcd, keys_, 0, 10).status().code(), ErrorCode::kInternal);
  EXPECT_TRUE(deposed_.empty());
  ASSERT_TRUE(etcd.LeaseRevoke(lease).ok());
}

TEST_F(EtcdLogTest, TrimmingDropsWholeBatchesBelowAPointAndMovesTheWindow) {
  EtcdClient etcd = Client();
  std::int64_t lease = 0;
  options_.max_batch_bytes = 200;
  EtcdLog log(options_, nullptr);
  log.Arm(Elect(etcd, lease));
  EXPECT_EQ(ReadClusterWindowStart(etcd, keys_).value(), 0u);
  ASSERT_TRUE(log.Admit(BatchOf(1, 20)).ok());  // in parts
  ASSERT_TRUE(log.Admit(BatchOf(21, 2)).ok());
  ASSERT_TRUE(log.Admit(BatchOf(23, 2)).ok());
  EXPECT_EQ(ReadClusterWindowStart(etcd, keys_).value(), 1u);
  ASSERT_TRUE(TrimCluster(etcd, keys_, 22).ok());
  EXPECT_EQ(ReadClusterWindowStart(etcd, keys_).value(), 23u);
  EXPECT_TRUE(etcd.Range(keys_.PartsOf(1), internal::PrefixEnd(keys_.PartsOf(1)))->kvs.empty());
  auto read = ReadClusterBatches(etcd, keys_, 22, 10);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->batches.size(), 1u);
  EXPECT_EQ(read->batches[0].first, 23u);
  // The head is kept: appends go on after a trim.
  ASSERT_TRUE(log.Admit(BatchOf(25, 1)).ok());
  EXPECT_EQ(ReadClusterHead(etcd, keys_)->sequence, 25u);
  // Reading from before the window is an error (the node needs a checkpoint).
  EXPECT_EQ(ReadClusterBatches(etcd, keys_, 0, 10).status().code(), ErrorCode::kInternal);
  ASSERT_TRUE(etcd.LeaseRevoke(lease).ok());
}

TEST_F(EtcdLogTest, ReadingAGapInTheLogIsAnError) {
  EtcdClient etcd = Client();
  ASSERT_TRUE(etcd.Put({keys_.Batch(1), EncodeReplicatedBatch(BatchOf(1, 2)), 0}).ok());
  ASSERT_TRUE(etcd.Put({keys_.Batch(4), EncodeReplicatedBatch(BatchOf(4, 1)), 0}).ok());
  auto read = ReadClusterBatches(etcd, keys_, 0, 10);
  EXPECT_EQ(read.status().code(), ErrorCode::kInternal);
  ASSERT_TRUE(etcd.Put({keys_.Batch(5), "not a batch", 0}).ok());
  EXPECT_EQ(ReadClusterBatches(etcd, keys_, 4, 10).status().code(), ErrorCode::kInternal);
}

TEST(ReplicatedBatchCodec, RoundTripsAndRefusesWhatIsNotABatch) {
  ReplicatedBatch batch = BatchOf(7, 3);
  batch.records.push_back(
      IdempotencyRecord{std::string("o\0k", 3), Timestamp::FromMicros(42), "req", "resp"});
  std::string encoded = EncodeReplicatedBatch(batch);
  auto decoded = DecodeReplicatedBatch(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().detail();
  EXPECT_EQ(*decoded, batch);
  for (std::size_t cut = 0; cut < encoded.size(); cut += 7) {
    EXPECT_FALSE(DecodeReplicatedBatch(encoded.substr(0, cut)).ok()) << cut;
  }
  EXPECT_FALSE(DecodeReplicatedBatch(encoded + "x").ok());
  ReplicatedBatch misnumbered = batch;
  misnumbered.last = 10;
  EXPECT_FALSE(DecodeReplicatedBatch(EncodeReplicatedBatch(misnumbered)).ok());
  ReplicatedBatch empty;
  EXPECT_FALSE(DecodeReplicatedBatch(EncodeReplicatedBatch(empty)).ok());
  // A manifest is never taken for a batch, nor a batch for a manifest.
  const std::string digest(64, 'a');
  EXPECT_FALSE(DecodeReplicatedBatch(EncodeBatchManifest(3, 600, digest)).ok());
  EXPECT_FALSE(DecodeBatchManifest(encoded).has_value());
  auto manifest = DecodeBatchManifest(EncodeBatchManifest(3, 600, digest));
  ASSERT_TRUE(manifest.has_value());
  EXPECT_EQ(manifest->parts, 3u);
  EXPECT_EQ(manifest->bytes, 600u);
  EXPECT_EQ(manifest->sha256, digest);
  EXPECT_FALSE(DecodeBatchManifest("FLBM0 10 " + digest).has_value());
  EXPECT_FALSE(DecodeBatchManifest("FLBM3 600").has_value());
  EXPECT_FALSE(DecodeBatchManifest("FLBM3 600 " + std::string(63, 'a')).has_value());
  EXPECT_FALSE(DecodeBatchManifest("FLBM3 600 " + std::string(64, 'G')).has_value());
}

TEST(ClusterValues, CandidatesAndNodeReportsRoundTrip) {
  EXPECT_EQ(DecodeCandidate(EncodeCandidate("n1", "http://h1:8080")),
            (std::pair<std::string, std::string>{"n1", "http://h1:8080"}));
  EXPECT_EQ(DecodeCandidate("n1"), (std::pair<std::string, std::string>{"n1", ""}));

  auto report = DecodeNodeReport(EncodeNodeReport({"http://h\"1:80", 42, true}));
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->url, "http://h\"1:80");  // escaped in, unescaped out
  EXPECT_EQ(report->applied, 42u);
  EXPECT_TRUE(report->writer);
  EXPECT_FALSE(DecodeNodeReport(EncodeNodeReport({"http://h2:80", 7, false}))->writer);
  for (const char* bad : {"", "{", R"({"url":"x","role":"writer"})",
                          R"({"url":"x","applied":"7","role":"writer"})", "[1]"}) {
    EXPECT_FALSE(DecodeNodeReport(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace flagledger

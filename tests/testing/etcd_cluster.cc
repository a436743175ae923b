#include "tests/testing/etcd_cluster.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "events/etcd_client.h"
#include "tests/testing/free_port.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {

namespace {

constexpr char kEtcd[] = "/usr/bin/etcd";

std::string LoopbackUrl(std::uint16_t port) { return "http://127.0.0.1:" + std::to_string(port); }

}  // namespace

std::string UniqueTestPrefix(std::string_view top) {
  static int runs = 0;
  return std::string(top) + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name() +
         "/" + std::to_string(++runs) + "/";
}

EtcdCluster& SharedEtcd() {
  static TempDir dir;
  static EtcdCluster etcd(dir.path(), 1);
  return etcd;
}

EtcdCluster::EtcdCluster(std::string dir, int members) : dir_(std::move(dir)) {
  if (access(kEtcd, X_OK) != 0) {
    throw std::runtime_error(
        "etcd is missing: `tools/dev test` installs it (Debian package etcd-server)");
  }
  // A port free when chosen may be taken by another process before etcd binds it: then the
  // member exits at once, and the cluster starts again on other ports.
  std::string failure;
  for (int attempt = 0; attempt < 3; ++attempt) {
    members_.clear();
    std::vector<std::uint16_t> ports = FreeLoopbackPorts(2 * static_cast<std::size_t>(members));
    for (int i = 0; i < members; ++i) {
      Member member;
      member.name = "etcd" + std::to_string(i);
      member.data_dir = dir_ + "/" + member.name + "-" + std::to_string(attempt);
      member.client_port = ports[2 * i];
      member.peer_port = ports[2 * i + 1];
      members_.push_back(member);
    }
    for (int i = 0; i < members; ++i) Launch(i, false);
    failure = WaitForLeader();
    if (failure.empty()) return;
    for (int i = 0; i < size(); ++i) Kill(i);
  }
  throw std::runtime_error(failure);
}

EtcdCluster::~EtcdCluster() {
  for (int i = 0; i < size(); ++i) Kill(i);
}

std::vector<std::string> EtcdCluster::ClientUrls() const {
  std::vector<std::string> urls;
  for (const Member& member : members_) urls.push_back(LoopbackUrl(member.client_port));
  return urls;
}

std::string EtcdCluster::ClusterFlag() const {
  std::string flag = "etcd=";
  for (const std::string& url : ClientUrls()) {
    if (flag.size() > 5) flag += ',';
    flag += url;
  }
  return flag;
}

void EtcdCluster::Launch(int index, bool existing) {
  Member& member = members_[index];
  std::string initial;
  for (const Member& other : members_) {
    if (!initial.empty()) initial += ',';
    initial += other.name + "=" + LoopbackUrl(other.peer_port);
  }
  std::vector<std::string> args = {
      kEtcd,
      "--name",
      member.name,
      "--data-dir",
      member.data_dir,
      "--listen-client-urls",
      LoopbackUrl(member.client_port),
      "--advertise-client-urls",
      LoopbackUrl(member.client_port),
      "--listen-peer-urls",
      LoopbackUrl(member.peer_port),
      "--initial-advertise-peer-urls",
      LoopbackUrl(member.peer_port),
      "--initial-cluster",
      initial,
      "--initial-cluster-state",
      existing ? "existing" : "new",
      "--initial-cluster-token",
      "flagledger-test",
      "--max-request-bytes",
      "2097152",
  };
  member.pid = fork();
  if (member.pid < 0) throw std::runtime_error("fork failed");
  if (member.pid == 0) {
    std::string log = member.data_dir + ".log";
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
}

void EtcdCluster::Kill(int member) {
  pid_t& pid = members_[member].pid;
  if (pid <= 0) return;
  kill(pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);
  pid = -1;
}

void EtcdCluster::Restart(int member) {
  Kill(member);
  Launch(member, true);
}

std::string EtcdCluster::Log(int member) const {
  std::ifstream in(members_[member].data_dir + ".log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int EtcdCluster::LeaderIndex() const {
  for (int i = 0; i < size(); ++i) {
    if (!running(i)) continue;
    EtcdClient client({LoopbackUrl(members_[i].client_port)}, std::chrono::milliseconds(1000));
    auto statuses = client.MemberStatuses();
    if (!statuses.ok() || statuses->empty() || statuses->front().leader_id == 0) continue;
    const std::uint64_t leader = statuses->front().leader_id;
    // Learn each member's id from the member itself.
    for (int j = 0; j < size(); ++j) {
      if (!running(j)) continue;
      EtcdClient member({LoopbackUrl(members_[j].client_port)}, std::chrono::milliseconds(1000));
      auto own = member.MemberStatuses();
      if (own.ok() && !own->empty() && own->front().member_id == leader) return j;
    }
  }
  return -1;
}

std::string EtcdCluster::WaitForLeader() {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < size(); ++i) {
      int status;
      Member& member = members_[i];
      if (member.pid > 0 && waitpid(member.pid, &status, WNOHANG) == member.pid) {
        member.pid = -1;
        return "etcd member " + member.name + " exited at start:\n" + Log(i);
      }
    }
    if (LeaderIndex() >= 0) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string logs;
  for (int i = 0; i < size(); ++i) logs += members_[i].name + ":\n" + Log(i) + "\n";
  return "etcd did not elect a leader within 20 s:\n" + logs;
}

}  // namespace flagledger

// Real etcd members (Debian's etcd-server) on free loopback ports, for the cluster tests.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/testing/free_port.h"

namespace flagledger {

// Starts `members` etcd members forming one cluster, each with a data directory under `dir`,
// and waits until the cluster has a leader. Throws std::runtime_error (with the members' logs)
// when etcd is missing or does not come up within 20 s. Kills every member at destruction.
class EtcdCluster {
 public:
  EtcdCluster(std::string dir, int members);
  ~EtcdCluster();
  EtcdCluster(const EtcdCluster&) = delete;
  EtcdCluster& operator=(const EtcdCluster&) = delete;

  int size() const { return static_cast<int>(members_.size()); }
  std::vector<std::string> ClientUrls() const;
  // "etcd=URL,URL,URL", for flagledger serve --cluster.
  std::string ClusterFlag() const;
  std::uint16_t client_port(int member) const { return members_[member].client_port; }

  // SIGKILL: a crash of the member (its data directory stays).
  void Kill(int member);
  // Starts a killed member again on its data directory and ports.
  void Restart(int member);
  bool running(int member) const { return members_[member].pid > 0; }
  // The index of the member the running members agree leads (-1 when none does).
  int LeaderIndex() const;
  std::string Log(int member) const;

 private:
  struct Member {
    std::string name;
    std::string data_dir;
    std::uint16_t client_port = 0;
    std::uint16_t peer_port = 0;
    pid_t pid = -1;
  };
  void Launch(int member, bool existing);
  // "" once the members agree on a leader; otherwise why not (a member exited, or 20 s
  // passed).
  std::string WaitForLeader();

  std::string dir_;
  std::vector<Member> members_;
};

// One single-member etcd for every test of the process that needs one (each works under keys
// of its own): started on first use, killed at exit.
EtcdCluster& SharedEtcd();

// A key prefix no other test of the process uses ("TOP/<test name>/<n>/"): tests repeat on
// the shared etcd.
std::string UniqueTestPrefix(std::string_view top);

}  // namespace flagledger

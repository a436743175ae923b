#include "tests/testing/free_port.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <set>
#include <stdexcept>

namespace flagledger {

std::vector<std::uint16_t> FreeLoopbackPorts(std::size_t count) {
  // Bound all at once, so that the kernel hands out distinct ports, and never one this process
  // handed out before.
  static std::mutex mutex;
  static std::set<std::uint16_t> given;
  std::lock_guard lock(mutex);
  std::vector<int> sockets;
  std::vector<std::uint16_t> ports;
  while (ports.size() < count) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      if (fd >= 0) close(fd);
      for (int open : sockets) close(open);
      throw std::runtime_error("cannot find a free loopback port");
    }
    sockets.push_back(fd);
    if (given.insert(ntohs(address.sin_port)).second) ports.push_back(ntohs(address.sin_port));
  }
  for (int fd : sockets) close(fd);
  return ports;
}

std::uint16_t FreeLoopbackPort() { return FreeLoopbackPorts(1).front(); }

}  // namespace flagledger

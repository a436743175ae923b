// A raw TCP connection to a local server, for tests of clients that misbehave (send slowly,
// never read, never send) and of byte streams such as Server-Sent Events.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace flagledger {

// A raw TCP connection to the server, for clients that misbehave.
class RawConnection {
 public:
  // `receive_buffer` > 0 shrinks the socket's receive buffer (a client slow to read).
  explicit RawConnection(std::uint16_t port, int receive_buffer = 0)
      : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (receive_buffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  bool Send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // True when the server closed the connection within `timeout` (reads and drops any data).
  bool ClosedWithin(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd polled{fd_, POLLIN, 0};
      if (::poll(&polled, 1, 50) <= 0) continue;
      char buffer[4096];
      ssize_t got = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (got <= 0) return true;
      received_.append(buffer, static_cast<std::size_t>(got));
    }
    return false;
  }
  // Reads what arrives for `timeout` (or until closed); returns everything received so far.
  const std::string& ReadFor(std::chrono::milliseconds timeout) {
    ClosedWithin(timeout);
    return received_;
  }
  const std::string& received() const { return received_; }

 private:
  int fd_;
  bool connected_ = false;
  std::string received_;
};

}  // namespace flagledger

// The Asio types the server's connections use. Sockets and timers are bound to the
// io_context's own executor type rather than the type-erased any_io_executor, so no executor
// is copied through a type-erasing wrapper on every operation.
#pragma once

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <mutex>

namespace flagledger {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Executor = net::io_context::executor_type;
using Strand = net::strand<Executor>;
using Socket = net::basic_stream_socket<tcp, Executor>;
template <class TimerExecutor>
using TimerOn =
    net::basic_waitable_timer<std::chrono::steady_clock,
                              net::wait_traits<std::chrono::steady_clock>, TimerExecutor>;
using Timer = TimerOn<Executor>;

// shutdown(2) of `socket` from another thread, safe beside its owner's operations (they end
// with an error). `mutex` is the one the owner closes the socket under (CloseSocket), so the
// descriptor is never released, and reused by a new connection, meanwhile.
inline void ShutDownSocket(std::mutex& mutex, Socket& socket, int how) {
  std::lock_guard lock(mutex);
  if (socket.is_open()) ::shutdown(socket.native_handle(), how);
}

// The owner's close: the sending side first (the client sees the end), then the descriptor.
inline void CloseSocket(std::mutex& mutex, Socket& socket) {
  boost::system::error_code ignored;
  std::lock_guard lock(mutex);
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  socket.close(ignored);
}

}  // namespace flagledger

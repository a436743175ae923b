// The Asio types the server's connections use. Sockets and timers are bound to the
// io_context's own executor type rather than the type-erased any_io_executor, so no executor
// is copied through a type-erasing wrapper on every operation.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

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

}  // namespace flagledger

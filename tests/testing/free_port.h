// Free TCP ports on loopback, for servers a test must start on a known port.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace flagledger {

// TCP ports on 127.0.0.1 that nothing listened on a moment ago, distinct, and never handed
// out before by this process.
std::vector<std::uint16_t> FreeLoopbackPorts(std::size_t count);
std::uint16_t FreeLoopbackPort();

}  // namespace flagledger

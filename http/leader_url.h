// A leader's address as `serve --follow` takes it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flagledger {

struct LeaderAddress {
  std::string host, port;
};

// "http://HOST:PORT" (a trailing '/' allowed; an IPv6 HOST in brackets); nullopt otherwise.
inline std::optional<LeaderAddress> ParseLeaderUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  url.remove_prefix(kScheme.size());
  if (url.ends_with('/')) url.remove_suffix(1);
  std::size_t colon = url.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == url.size()) {
    return std::nullopt;
  }
  LeaderAddress address{std::string(url.substr(0, colon)), std::string(url.substr(colon + 1))};
  if (address.host.front() == '[' && address.host.back() == ']') {
    address.host = address.host.substr(1, address.host.size() - 2);
  }
  return address;
}

}  // namespace flagledger

#include "events/base64.h"

#include <boost/beast/core/detail/base64.hpp>

namespace flagledger {

namespace base64 = boost::beast::detail::base64;

std::string EncodeBase64(std::string_view bytes) {
  std::string out(base64::encoded_size(bytes.size()), '\0');
  out.resize(base64::encode(out.data(), bytes.data(), bytes.size()));
  return out;
}

std::optional<std::string> DecodeBase64(std::string_view text) {
  std::string out(base64::decoded_size(text.size()), '\0');
  auto [written, read] = base64::decode(out.data(), text.data(), text.size());
  // The decoder stops at the padding.
  std::string_view rest = text.substr(read);
  if (rest.size() > 2 || rest.find_first_not_of('=') != std::string_view::npos) return std::nullopt;
  out.resize(written);
  return out;
}

}  // namespace flagledger

// Base64 (RFC 4648, with padding) for bytes carried in JSON, e.g. the stored answers of the
// replication feed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flagledger {

std::string EncodeBase64(std::string_view bytes);
// nullopt when `text` is not base64.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace flagledger

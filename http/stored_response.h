// Responses kept for Idempotency-Key replays: an HttpResponse as bytes and back.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/http_message.h"

namespace flagledger {

// Format: u32 status, str content_type (MediaTypeName), u32 header count,
// (str name, str value)*, body (the rest); u32 is little-endian; str := u32 length, bytes.
std::string EncodeStoredResponse(const HttpResponse& response);
// nullopt when `bytes` is not what EncodeStoredResponse wrote.
std::optional<HttpResponse> DecodeStoredResponse(std::string_view bytes);

}  // namespace flagledger

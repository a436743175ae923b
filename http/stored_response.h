// Responses kept for Idempotency-Key replays: an HttpResponse as bytes and back.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/http_message.h"

namespace flagledger {

// Format: u16 status, str content_type, u16 header count, (str name, str value)*, body
// (the rest); str := u32 length (little-endian), bytes.
std::string EncodeStoredResponse(const HttpResponse& response);
// nullopt when `bytes` is not what EncodeStoredResponse wrote.
std::optional<HttpResponse> DecodeStoredResponse(std::string_view bytes);

}  // namespace flagledger

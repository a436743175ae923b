// Appending JSON text to a string: the small writer simdjson 3.0.1 does not ship.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/timestamp.h"

namespace flagledger {

// Appends `text` as a JSON string literal (quotes included). Control characters and '"' and
// '\' are escaped; other bytes are copied, so `text` should be valid UTF-8.
void AppendJsonString(std::string& out, std::string_view text);
void AppendJsonUint(std::string& out, std::uint64_t value);
inline void AppendJsonBool(std::string& out, bool value) { out += value ? "true" : "false"; }
// "YYYY-MM-DDTHH:MM:SS.ffffffZ" (quotes included), or null.
void AppendJsonMicrosOrNull(std::string& out, const std::optional<Timestamp>& time);

}  // namespace flagledger

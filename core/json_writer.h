// Appending JSON text to a string: the small writer simdjson 3.0.1 does not ship.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace flagledger {

// Appends `text` as a JSON string literal (quotes included). Control characters and '"' and
// '\' are escaped; other bytes are copied, so `text` should be valid UTF-8.
void AppendJsonString(std::string& out, std::string_view text);
void AppendJsonUint(std::string& out, std::uint64_t value);
inline void AppendJsonBool(std::string& out, bool value) { out += value ? "true" : "false"; }

}  // namespace flagledger

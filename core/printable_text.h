// Text that people write and read back: names, reasons (docs/api.md, "Reasons" and "Tokens").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace flagledger {

// What is wrong with `text` as 1 to `max_characters` Unicode code points of valid UTF-8
// (shortest forms, no surrogates) without control characters (C0, DEL, C1), e.g. "must be
// valid UTF-8"; empty when nothing is.
std::string PrintableTextProblem(std::string_view text, std::size_t max_characters);

}  // namespace flagledger

// Why a change was made: the optional reason a write carries into its event (docs/api.md,
// "Reasons").
#pragma once

#include <cstddef>
#include <string_view>

#include "core/status.h"

namespace flagledger {

inline constexpr std::size_t kMaxReasonCharacters = 500;

// OK when `text` is valid UTF-8 (shortest forms, no surrogates), 1 to kMaxReasonCharacters
// code points, none of them a control character (C0, DEL, C1). Otherwise kValidationFailed
// naming `field` and what is wrong.
Status CheckChangeReason(std::string_view text, std::string_view field);

}  // namespace flagledger

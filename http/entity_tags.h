// ETag, If-Match and If-None-Match (docs/api.md, "Concurrency and retries"; RFC 9110 §8.8.3,
// §13.1).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "projections/command.h"

namespace flagledger {

// "\"<version>\"": a flag's strong entity tag.
std::string FlagEtag(std::uint64_t version);

// If-Match, strong comparison: "*" accepts any version; each "<n>" accepts n; weak or
// malformed tags accept nothing (so a malformed header fails the precondition).
VersionPrecondition ParseIfMatch(std::string_view header);

// If-None-Match, weak comparison: true when the header names `version` (or is "*").
bool IfNoneMatchHits(std::string_view header, std::uint64_t version);
// The same for any strong entity tag `etag` (quotes included), e.g. OFREP's bulk ETag.
bool IfNoneMatchHits(std::string_view header, std::string_view etag);

}  // namespace flagledger

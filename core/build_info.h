// What build this is: the release version and the source commit it was built from.
#pragma once

#include <string_view>

namespace flagledger {

// Both are plain ASCII without quotes, backslashes or spaces.
// The release version, e.g. "0.9.0" (CMake's project version).
extern const std::string_view kBuildVersion;
// The git commit the binary was built from ("abc1234", with "-dirty" when the work tree had
// changes), or "unknown" outside a git checkout.
extern const std::string_view kBuildCommit;

}  // namespace flagledger

// Strict Semantic Versioning 2.0.0 versions: parsing and precedence (semver.org §2-§11).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace flagledger {

inline constexpr std::size_t kMaxSemVerLength = 64;

// An immutable, valid SemVer 2.0.0 version, kept as its original text.
class SemVer {
 public:
  // Accepts exactly MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD] with no leading zeros in numeric
  // identifiers, at most 64 characters. Returns kValidationFailed with a reason otherwise.
  static Result<SemVer> Parse(std::string_view text);

  const std::string& text() const { return text_; }
  std::string_view core() const { return std::string_view(text_).substr(0, core_end_); }
  // Empty when absent.
  std::string_view prerelease() const;
  std::string_view build() const;

  // Exact identity (build metadata included), as stored.
  bool operator==(const SemVer& other) const { return text_ == other.text_; }

 private:
  SemVer() = default;
  std::string text_;
  std::uint8_t core_end_ = 0;        // end of MAJOR.MINOR.PATCH
  std::uint8_t prerelease_end_ = 0;  // end of the pre-release part (== core_end_ when none)
};

// Precedence per SemVer §11: <0, 0 or >0. Build metadata is ignored, so 1.0.0+a and 1.0.0+b
// compare equal; numeric identifiers compare numerically at any length.
int ComparePrecedence(const SemVer& a, const SemVer& b);

}  // namespace flagledger

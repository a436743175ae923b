#include "core/semver.h"

#include <algorithm>

namespace flagledger {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentifierChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}
bool IsNumeric(std::string_view s) { return std::all_of(s.begin(), s.end(), IsDigit); }

// Numbers without leading zeros compare by length, then digit by digit: no overflow.
int CompareNumeric(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

Status Invalid(std::string message) {
  return Status(ErrorCode::kValidationFailed, std::move(message));
}

// Checks dot-separated identifiers; `strict_numbers` forbids leading zeros in numeric ones.
Status CheckIdentifiers(std::string_view part, std::string_view what, bool strict_numbers) {
  std::size_t start = 0;
  while (true) {
    std::size_t dot = part.find('.', start);
    std::string_view id = part.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (id.empty()) return Invalid(std::string(what) + " has an empty identifier");
    if (!std::all_of(id.begin(), id.end(), IsIdentifierChar)) {
      return Invalid(std::string(what) + " may contain only [0-9A-Za-z-] and dots");
    }
    if (strict_numbers && id.size() > 1 && id[0] == '0' && IsNumeric(id)) {
      return Invalid(std::string(what) + " has a numeric identifier with a leading zero");
    }
    if (dot == std::string_view::npos) return Status::Ok();
    start = dot + 1;
  }
}

}  // namespace

std::string_view SemVer::prerelease() const {
  if (prerelease_end_ == core_end_) return {};
  return std::string_view(text_).substr(core_end_ + 1, prerelease_end_ - core_end_ - 1);
}

std::string_view SemVer::build() const {
  if (prerelease_end_ == text_.size()) return {};
  return std::string_view(text_).substr(prerelease_end_ + 1);
}

Result<SemVer> SemVer::Parse(std::string_view text) {
  if (text.empty()) return Invalid("version is empty");
  if (text.size() > kMaxSemVerLength) return Invalid("version is longer than 64 characters");
  std::size_t core_end = text.find_first_of("-+");
  std::string_view core = text.substr(0, core_end);
  if (core_end == std::string_view::npos) core_end = text.size();

  // MAJOR.MINOR.PATCH: exactly three numeric identifiers without leading zeros.
  int parts = 0;
  std::size_t start = 0;
  while (start <= core.size()) {
    std::size_t dot = core.find('.', start);
    std::string_view number = core.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (number.empty() || !IsNumeric(number)) {
      return Invalid("version must be MAJOR.MINOR.PATCH with numeric parts");
    }
    if (number.size() > 1 && number[0] == '0') {
      return Invalid("version numbers must not have leading zeros");
    }
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts != 3) return Invalid("version must be MAJOR.MINOR.PATCH with numeric parts");

  std::size_t prerelease_end = core_end;
  if (core_end < text.size() && text[core_end] == '-') {
    prerelease_end = text.find('+', core_end);
    if (prerelease_end == std::string_view::npos) prerelease_end = text.size();
    Status s = CheckIdentifiers(text.substr(core_end + 1, prerelease_end - core_end - 1),
                                "pre-release", /*strict_numbers=*/true);
    if (!s.ok()) return s;
  }
  if (prerelease_end < text.size()) {  // text[prerelease_end] == '+'
    Status s = CheckIdentifiers(text.substr(prerelease_end + 1), "build metadata",
                                /*strict_numbers=*/false);
    if (!s.ok()) return s;
  }

  SemVer version;
  version.text_ = std::string(text);
  version.core_end_ = static_cast<std::uint8_t>(core_end);
  version.prerelease_end_ = static_cast<std::uint8_t>(prerelease_end);
  return version;
}

int ComparePrecedence(const SemVer& a, const SemVer& b) {
  // §11.2: major, minor and patch numerically, left to right.
  std::string_view ca = a.core(), cb = b.core();
  for (int i = 0; i < 3; ++i) {
    std::size_t da = ca.find('.'), db = cb.find('.');
    int c = CompareNumeric(ca.substr(0, da), cb.substr(0, db));
    if (c != 0) return c;
    ca = da == std::string_view::npos ? std::string_view() : ca.substr(da + 1);
    cb = db == std::string_view::npos ? std::string_view() : cb.substr(db + 1);
  }
  // §11.3: a pre-release has lower precedence than the normal version.
  std::string_view pa = a.prerelease(), pb = b.prerelease();
  if (pa.empty() || pb.empty()) return pa.empty() == pb.empty() ? 0 : (pa.empty() ? 1 : -1);
  // §11.4: identifier by identifier.
  while (true) {
    std::size_t da = pa.find('.'), db = pb.find('.');
    std::string_view ia = pa.substr(0, da), ib = pb.substr(0, db);
    bool na = IsNumeric(ia), nb = IsNumeric(ib);
    int c;
    if (na && nb) {
      c = CompareNumeric(ia, ib);
    } else if (na != nb) {
      c = na ? -1 : 1;  // numeric identifiers sort before alphanumeric ones
    } else {
      c = ia.compare(ib) < 0 ? -1 : (ia == ib ? 0 : 1);  // ASCII order
    }
    if (c != 0) return c;
    bool end_a = da == std::string_view::npos, end_b = db == std::string_view::npos;
    if (end_a || end_b) return end_a == end_b ? 0 : (end_a ? -1 : 1);  // fewer fields sort first
    pa = pa.substr(da + 1);
    pb = pb.substr(db + 1);
  }
}

}  // namespace flagledger

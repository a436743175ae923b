#include "http/entity_tags.h"

#include <charconv>
#include <optional>

namespace flagledger {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Calls `visit(opaque, weak)` for each well-formed tag of a list ("..." or W/"...", quotes
// stripped); returns true when the list is "*".
template <typename Visit>
bool ForEachTag(std::string_view header, Visit visit) {
  if (Trim(header) == "*") return true;
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view tag = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    bool weak = tag.starts_with("W/");
    if (weak) tag.remove_prefix(2);
    if (tag.size() < 2 || tag.front() != '"' || tag.back() != '"') continue;
    visit(tag.substr(1, tag.size() - 2), weak);
  }
  return false;
}

// The same, for the numeric tags of flag versions only.
template <typename Visit>
bool ForEachVersionTag(std::string_view header, Visit visit) {
  return ForEachTag(header, [&](std::string_view opaque, bool weak) {
    std::uint64_t version = 0;
    auto [end, error] = std::from_chars(opaque.data(), opaque.data() + opaque.size(), version);
    if (!opaque.empty() && error == std::errc() && end == opaque.data() + opaque.size()) {
      visit(version, weak);
    }
  });
}

}  // namespace

std::string FlagEtag(std::uint64_t version) { return "\"" + std::to_string(version) + "\""; }

VersionPrecondition ParseIfMatch(std::string_view header) {
  VersionPrecondition precondition;
  precondition.any = ForEachVersionTag(header, [&](std::uint64_t version, bool weak) {
    if (!weak) precondition.versions.push_back(version);
  });
  return precondition;
}

bool IfNoneMatchHits(std::string_view header, std::uint64_t version) {
  bool hit = false;
  if (ForEachVersionTag(header,
                        [&](std::uint64_t tagged, bool) { hit = hit || tagged == version; })) {
    return true;
  }
  return hit;
}

bool IfNoneMatchHits(std::string_view header, std::string_view etag) {
  if (etag.size() < 2) return false;
  std::string_view opaque = etag.substr(1, etag.size() - 2);
  bool hit = false;
  if (ForEachTag(header, [&](std::string_view tagged, bool) { hit = hit || tagged == opaque; })) {
    return true;
  }
  return hit;
}

}  // namespace flagledger

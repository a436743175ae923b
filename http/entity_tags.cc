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

// Calls `visit(version, weak)` for each well-formed numeric tag of a list; returns true when
// the list is "*".
template <typename Visit>
bool ForEachTag(std::string_view header, Visit visit) {
  if (Trim(header) == "*") return true;
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view tag = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    bool weak = tag.starts_with("W/");
    if (weak) tag.remove_prefix(2);
    if (tag.size() < 3 || tag.front() != '"' || tag.back() != '"') continue;
    tag = tag.substr(1, tag.size() - 2);
    std::uint64_t version = 0;
    auto [end, error] = std::from_chars(tag.data(), tag.data() + tag.size(), version);
    if (error == std::errc() && end == tag.data() + tag.size()) visit(version, weak);
  }
  return false;
}

}  // namespace

std::string FlagEtag(std::uint64_t version) { return "\"" + std::to_string(version) + "\""; }

VersionPrecondition ParseIfMatch(std::string_view header) {
  VersionPrecondition precondition;
  precondition.any = ForEachTag(header, [&](std::uint64_t version, bool weak) {
    if (!weak) precondition.versions.push_back(version);
  });
  return precondition;
}

bool IfNoneMatchHits(std::string_view header, std::uint64_t version) {
  bool hit = false;
  if (ForEachTag(header, [&](std::uint64_t tagged, bool) { hit = hit || tagged == version; })) {
    return true;
  }
  return hit;
}

}  // namespace flagledger

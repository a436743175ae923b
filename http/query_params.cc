#include "http/query_params.h"

#include <charconv>

#include "core/semver.h"
#include "http/history_query.h"
#include "http/problem.h"

namespace flagledger {
namespace {

Status InvalidQuery(std::string detail) {
  return Status(ErrorCode::kInvalidQuery, std::move(detail));
}

}  // namespace

Status CheckQueryNames(const RequestTarget& target, std::span<const std::string_view> names) {
  if (!target.query_well_formed) return InvalidQuery("the query string has a malformed % escape");
  for (std::size_t i = 0; i < target.query.size(); ++i) {
    const std::string& name = target.query[i].first;
    bool known = false;
    for (std::string_view allowed : names) known = known || name == allowed;
    if (!known) {
      std::string detail = "unknown query parameter '" + QuoteForMessage(name) + "'; ";
      if (names.size() == 0) {
        detail += "this endpoint takes no query parameters";
      } else {
        detail += "this endpoint accepts ";
        std::string_view separator;
        for (std::string_view allowed : names) {
          detail.append(separator).append(allowed);
          separator = ", ";
        }
      }
      return InvalidQuery(std::move(detail));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (target.query[j].first == name) {
        return InvalidQuery("query parameter '" + name + "' appears more than once");
      }
    }
  }
  return Status::Ok();
}

std::optional<std::string_view> QueryValue(const RequestTarget& target, std::string_view name) {
  for (const auto& [key, value] : target.query) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

// Both read through the history query's parameter readers (history_query.h), which
// `flagledger history` shares.
ParamLookup LookupIn(const RequestTarget& target) {
  return [&target](std::string_view name) { return QueryValue(target, name); };
}

std::optional<std::uint64_t> ParseDecimal(std::string_view text) {
  std::uint64_t number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return number;
}

Result<std::uint64_t> QueryInteger(const RequestTarget& target, std::string_view name,
                                   std::uint64_t fallback, std::uint64_t min, std::uint64_t max) {
  return ParamInteger(LookupIn(target), name, fallback, min, max);
}

Result<std::optional<Timestamp>> QueryTime(const RequestTarget& target, std::string_view name) {
  return ParamTime(LookupIn(target), name);
}

Result<std::string> QueryClientVersion(const RequestTarget& target) {
  auto version = QueryValue(target, "version");
  if (!version) return InvalidQuery("version is required, e.g. ?version=2.1.0");
  auto parsed = SemVer::Parse(*version);
  if (!parsed.ok()) {
    return InvalidQuery("query parameter 'version' ('" + QuoteForMessage(*version) +
                        "') is invalid: " + parsed.status().detail());
  }
  return std::string(*version);
}

}  // namespace flagledger

#include "http/query_params.h"

#include <charconv>

#include "http/problem.h"

namespace flagledger {
namespace {

Status InvalidQuery(std::string detail) {
  return Status(ErrorCode::kInvalidQuery, std::move(detail));
}

}  // namespace

Status CheckQueryNames(const RequestTarget& target, std::initializer_list<std::string_view> names) {
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

Result<std::uint64_t> QueryInteger(const RequestTarget& target, std::string_view name,
                                   std::uint64_t fallback, std::uint64_t min, std::uint64_t max) {
  auto value = QueryValue(target, name);
  if (!value) return fallback;
  std::uint64_t number = 0;
  auto [end, error] = std::from_chars(value->data(), value->data() + value->size(), number);
  if (value->empty() || error != std::errc() || end != value->data() + value->size() ||
      number < min || number > max) {
    return InvalidQuery("query parameter '" + std::string(name) + "' must be an integer from " +
                        std::to_string(min) + " to " + std::to_string(max));
  }
  return number;
}

}  // namespace flagledger

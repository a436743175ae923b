// Reading query parameters; every failure is 400 invalid_query.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/timestamp.h"
#include "http/request_target.h"

namespace flagledger {

// Accepts only the named parameters, each at most once, all well-formed. An unknown
// parameter's error names the ones accepted.
Status CheckQueryNames(const RequestTarget& target, std::span<const std::string_view> names);
inline Status CheckQueryNames(const RequestTarget& target,
                              std::initializer_list<std::string_view> names) {
  return CheckQueryNames(target, std::span<const std::string_view>(names.begin(), names.size()));
}

// The parameter's decoded value, or nullopt when absent.
std::optional<std::string_view> QueryValue(const RequestTarget& target, std::string_view name);

// `text` as a whole as an unsigned decimal number (digits only); nullopt otherwise.
std::optional<std::uint64_t> ParseDecimal(std::string_view text);

// The integer value of parameter `name` in [min, max], or `fallback` when absent.
Result<std::uint64_t> QueryInteger(const RequestTarget& target, std::string_view name,
                                   std::uint64_t fallback, std::uint64_t min, std::uint64_t max);

// The required parameter `version`: a client's SemVer version, as sent.
Result<std::string> QueryClientVersion(const RequestTarget& target);

// A ParamLookup (history_query.h) over the target's parameters.
std::function<std::optional<std::string_view>(std::string_view)> LookupIn(
    const RequestTarget& target);

// The time in parameter `name` (ParseTimeInput: RFC 3339, or a date alone), or nullopt when
// absent.
Result<std::optional<Timestamp>> QueryTime(const RequestTarget& target, std::string_view name);

}  // namespace flagledger

// Reading query parameters; every failure is 400 invalid_query.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/request_target.h"

namespace flagledger {

// Accepts only the named parameters, each at most once, all well-formed. An unknown
// parameter's error names the ones accepted.
Status CheckQueryNames(const RequestTarget& target, std::initializer_list<std::string_view> names);

// The parameter's decoded value, or nullopt when absent.
std::optional<std::string_view> QueryValue(const RequestTarget& target, std::string_view name);

// The integer value of parameter `name` in [min, max], or `fallback` when absent.
Result<std::uint64_t> QueryInteger(const RequestTarget& target, std::string_view name,
                                   std::uint64_t fallback, std::uint64_t min, std::uint64_t max);

}  // namespace flagledger

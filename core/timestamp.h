// UTC instants with microsecond precision, and RFC 3339 parsing and rendering.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace flagledger {

// Microseconds since 1970-01-01T00:00:00Z. A plain value; the valid range is years 0001..9999.
class Timestamp {
 public:
  constexpr Timestamp() = default;
  static constexpr Timestamp FromMicros(std::int64_t micros) { return Timestamp(micros); }

  constexpr std::int64_t micros() const { return micros_; }

  // The start of this instant's second.
  constexpr Timestamp FloorToSecond() const {
    std::int64_t fraction = micros_ % 1'000'000;
    return Timestamp(micros_ - (fraction < 0 ? fraction + 1'000'000 : fraction));
  }

  // "YYYY-MM-DDTHH:MM:SSZ", the fraction dropped (rounded toward the past).
  std::string ToSecondsString() const;
  // "YYYY-MM-DDTHH:MM:SS.ffffffZ".
  std::string ToMicrosString() const;
  void AppendSeconds(std::string& out) const;
  void AppendMicros(std::string& out) const;

  constexpr auto operator<=>(const Timestamp&) const = default;

 private:
  constexpr explicit Timestamp(std::int64_t micros) : micros_(micros) {}
  std::int64_t micros_ = 0;
};

// A parsed RFC 3339 date-time.
struct Rfc3339Time {
  Timestamp time;             // in UTC, sub-microsecond digits dropped toward the past
  bool has_fraction = false;  // true when any fractional digit was non-zero
};

// Parses an RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM), 'T' and 'Z'
// in either case. Rejects impossible dates, leap seconds and results outside years 1..9999
// with kValidationFailed and a reason.
Result<Rfc3339Time> ParseRfc3339(std::string_view text);

// A time given by a user (a query parameter, a command-line option): an RFC 3339 date-time as
// ParseRfc3339 takes it, or a date alone (YYYY-MM-DD), meaning its midnight UTC. A time
// without a zone stays refused; one whose offset's '+' arrived as a space (an unencoded '+'
// in a query string) is refused with a hint to send %2B. Failures are kValidationFailed.
Result<Timestamp> ParseTimeInput(std::string_view text);

}  // namespace flagledger

#include "core/timestamp.h"

#include <chrono>

namespace flagledger {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;
// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z.
constexpr std::int64_t kMinMicros = -62'135'596'800LL * kMicrosPerSecond;
constexpr std::int64_t kMaxMicros = 253'402'300'800LL * kMicrosPerSecond - 1;

Status Invalid(std::string message) {
  return Status(ErrorCode::kValidationFailed, std::move(message));
}

// Reads exactly `n` digits at `pos`; false if any is not a digit.
bool ReadDigits(std::string_view text, std::size_t pos, std::size_t n, int& value) {
  if (pos + n > text.size()) return false;
  value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

void AppendPadded(std::string& out, long value, int width) {
  char digits[16];
  for (int i = width - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(digits, width);
}

// Appends "YYYY-MM-DDTHH:MM:SS" and returns the microseconds within that second.
std::int64_t AppendDateTime(std::string& out, std::int64_t micros) {
  std::int64_t seconds = micros / kMicrosPerSecond;
  std::int64_t fraction = micros % kMicrosPerSecond;
  if (fraction < 0) {
    fraction += kMicrosPerSecond;
    --seconds;
  }
  std::int64_t days = seconds / kSecondsPerDay;
  std::int64_t second_of_day = seconds % kSecondsPerDay;
  if (second_of_day < 0) {
    second_of_day += kSecondsPerDay;
    --days;
  }
  std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
  AppendPadded(out, static_cast<int>(date.year()), 4);
  out.push_back('-');
  AppendPadded(out, static_cast<unsigned>(date.month()), 2);
  out.push_back('-');
  AppendPadded(out, static_cast<unsigned>(date.day()), 2);
  out.push_back('T');
  AppendPadded(out, second_of_day / 3600, 2);
  out.push_back(':');
  AppendPadded(out, second_of_day / 60 % 60, 2);
  out.push_back(':');
  AppendPadded(out, second_of_day % 60, 2);
  return fraction;
}

}  // namespace

void Timestamp::AppendSeconds(std::string& out) const {
  AppendDateTime(out, micros_);
  out.push_back('Z');
}

void Timestamp::AppendMicros(std::string& out) const {
  std::int64_t fraction = AppendDateTime(out, micros_);
  out.push_back('.');
  AppendPadded(out, static_cast<long>(fraction), 6);
  out.push_back('Z');
}

std::string Timestamp::ToSecondsString() const {
  std::string out;
  AppendSeconds(out);
  return out;
}

std::string Timestamp::ToMicrosString() const {
  std::string out;
  AppendMicros(out);
  return out;
}

Result<Rfc3339Time> ParseRfc3339(std::string_view text) {
  static constexpr std::string_view kShape =
      "must be an RFC 3339 date-time such as 2026-01-15T00:00:00Z";
  int year, month, day, hour, minute, second;
  if (text.size() < 20 || !ReadDigits(text, 0, 4, year) || text[4] != '-' ||
      !ReadDigits(text, 5, 2, month) || text[7] != '-' || !ReadDigits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't') || !ReadDigits(text, 11, 2, hour) || text[13] != ':' ||
      !ReadDigits(text, 14, 2, minute) || text[16] != ':' || !ReadDigits(text, 17, 2, second)) {
    return Invalid(std::string(kShape));
  }
  std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month(month),
                                   std::chrono::day(day)};
  if (!date.ok() || year == 0) return Invalid("is not a valid calendar date");
  if (hour > 23 || minute > 59) return Invalid("has an hour or minute out of range");
  if (second == 60) return Invalid("is a leap second, which is not supported");
  if (second > 59) return Invalid("has a second out of range");

  std::size_t pos = 19;
  std::int64_t fraction_micros = 0;
  bool has_fraction = false;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      int digit = text[pos] - '0';
      if (digits < 6) fraction_micros = fraction_micros * 10 + digit;
      if (digit != 0) has_fraction = true;
      ++digits;
      ++pos;
    }
    if (digits == 0) return Invalid(std::string(kShape));
    for (std::size_t i = digits; i < 6; ++i) fraction_micros *= 10;
  }

  std::int64_t offset_seconds = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int offset_hour, offset_minute;
    if (!ReadDigits(text, pos + 1, 2, offset_hour) || pos + 3 >= text.size() ||
        text[pos + 3] != ':' || !ReadDigits(text, pos + 4, 2, offset_minute)) {
      return Invalid(std::string(kShape));
    }
    if (offset_hour > 23 || offset_minute > 59) return Invalid("has an offset out of range");
    offset_seconds = (std::int64_t{offset_hour} * 3600 + std::int64_t{offset_minute} * 60) *
                     (text[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return Invalid("must end with Z or a numeric offset such as +02:00");
  }
  if (pos != text.size()) return Invalid(std::string(kShape));

  std::int64_t days = std::chrono::sys_days{date}.time_since_epoch().count();
  std::int64_t seconds = days * kSecondsPerDay + std::int64_t{hour} * 3600 +
                         std::int64_t{minute} * 60 + second - offset_seconds;
  std::int64_t micros = seconds * kMicrosPerSecond + fraction_micros;
  if (micros < kMinMicros || micros > kMaxMicros) return Invalid("is outside years 0001..9999");
  return Rfc3339Time{Timestamp::FromMicros(micros), has_fraction};
}

Result<Timestamp> ParseTimeInput(std::string_view text) {
  if (text.size() == 10) {  // a date alone: its midnight, UTC
    auto midnight = ParseRfc3339(std::string(text) + "T00:00:00Z");
    if (midnight.ok()) return midnight->time;
    return midnight.status();
  }
  auto parsed = ParseRfc3339(text);
  if (parsed.ok()) return parsed->time;
  std::size_t space = text.find(' ');
  if (space != std::string_view::npos && space >= 19) {
    std::string with_plus(text);
    with_plus[space] = '+';
    if (ParseRfc3339(with_plus).ok()) {
      return Status(ErrorCode::kValidationFailed,
                    "has a space where its offset's '+' belongs: in a query string '+' means a "
                    "space, so send the offset as %2B (e.g. ...T14:00:00%2B01:00), or use Z");
    }
  }
  std::string detail = parsed.status().detail();
  if (text.size() == 19) {
    detail += " (a date alone, 2026-01-15, means midnight UTC; a date-time needs Z or an offset)";
  }
  return Status(ErrorCode::kValidationFailed, std::move(detail));
}

}  // namespace flagledger

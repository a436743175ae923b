#include "core/printable_text.h"

namespace flagledger {
namespace {

// The code point of the UTF-8 sequence starting at text[at], advancing `at` past it; -1 when
// the bytes there are not one well-formed sequence.
long NextCodePoint(std::string_view text, std::size_t& at) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(at);
  if (lead < 0x80) return text[at++];
  std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (length == 0 || lead > 0xF4 || at + length > text.size()) return -1;
  long code_point = lead & (0x7F >> length);
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return -1;
    code_point = (code_point << 6) | (byte(at + i) & 0x3F);
  }
  constexpr long kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kSmallest[length] || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return -1;
  }
  at += length;
  return code_point;
}

}  // namespace

std::string PrintableTextProblem(std::string_view text, std::size_t max_characters) {
  std::size_t characters = 0;
  for (std::size_t at = 0; at < text.size();) {
    long code_point = NextCodePoint(text, at);
    if (code_point < 0) return "must be valid UTF-8";
    if (code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F)) {
      return "must not contain control characters";
    }
    ++characters;
  }
  if (characters == 0 || characters > max_characters) {
    return "must be 1 to " + std::to_string(max_characters) + " characters";
  }
  return "";
}

}  // namespace flagledger

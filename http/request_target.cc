#include "http/request_target.h"

namespace flagledger {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Query values also decode '+' as a space (application/x-www-form-urlencoded).
std::optional<std::string> DecodeQueryComponent(std::string_view text) {
  std::string plus_as_space(text);
  for (char& c : plus_as_space) {
    if (c == '+') c = ' ';
  }
  return PercentDecode(plus_as_space);
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    int high = i + 1 < text.size() ? HexValue(text[i + 1]) : -1;
    int low = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

RequestTarget ParseRequestTarget(std::string_view target) {
  RequestTarget result;
  std::size_t question = target.find('?');
  result.path = target.substr(0, question);
  std::string_view path = result.path;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    std::size_t slash = path.find('/');
    result.segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  if (question == std::string_view::npos) return result;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t equals = pair.find('=');
    auto name = DecodeQueryComponent(pair.substr(0, equals));
    auto value = DecodeQueryComponent(equals == std::string_view::npos ? std::string_view()
                                                                       : pair.substr(equals + 1));
    if (!name || !value) {
      result.query_well_formed = false;
      continue;
    }
    result.query.emplace_back(std::move(*name), std::move(*value));
  }
  return result;
}

}  // namespace flagledger

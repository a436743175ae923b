#include "http/stored_response.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace flagledger {
namespace {

void PutU32(std::string& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}

void PutString(std::string& out, std::string_view text) {
  PutU32(out, static_cast<std::uint32_t>(text.size()));
  out.append(text);
}

bool GetU32(std::string_view& in, std::uint32_t& value) {
  if (in.size() < 4) return false;
  value = 0;
  for (int i = 0; i < 4; ++i) value |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  in.remove_prefix(4);
  return true;
}

bool GetString(std::string_view& in, std::string& text) {
  std::uint32_t length;
  if (!GetU32(in, length) || in.size() < length) return false;
  text.assign(in.substr(0, length));
  in.remove_prefix(length);
  return true;
}

}  // namespace

std::string EncodeStoredResponse(const HttpResponse& response) {
  std::string out;
  PutU32(out, static_cast<std::uint32_t>(response.status));
  PutString(out, MediaTypeName(response.content_type));
  PutU32(out, static_cast<std::uint32_t>(response.headers.size()));
  for (const auto& [name, value] : response.headers) {
    PutString(out, name);
    PutString(out, value);
  }
  out.append(response.body);
  return out;
}

std::optional<HttpResponse> DecodeStoredResponse(std::string_view bytes) {
  HttpResponse response;
  std::uint32_t status, headers;
  std::string content_type;
  if (!GetU32(bytes, status) || !GetString(bytes, content_type) || !GetU32(bytes, headers) ||
      status < 100 || status > 599) {
    return std::nullopt;
  }
  const MediaType* known = std::find_if(
      std::begin(kAllMediaTypes), std::end(kAllMediaTypes),
      [&content_type](MediaType type) { return MediaTypeName(type) == content_type; });
  if (known == std::end(kAllMediaTypes)) return std::nullopt;
  response.content_type = *known;
  response.status = static_cast<int>(status);
  for (std::uint32_t i = 0; i < headers; ++i) {
    std::string name, value;
    if (!GetString(bytes, name) || !GetString(bytes, value)) return std::nullopt;
    response.headers.emplace_back(std::move(name), std::move(value));
  }
  response.body.assign(bytes);
  return response;
}

}  // namespace flagledger

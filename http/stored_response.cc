#include "http/stored_response.h"

#include <algorithm>
#include <charconv>
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
  for (int i = 0; i < 4; ++i)
    value |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << (8 * i);
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
  std::size_t headers =
      response.headers.size() + !response.etag.empty() + response.event_sequence.has_value();
  PutU32(out, static_cast<std::uint32_t>(headers));
  auto put_header = [&out](std::string_view name, std::string_view value) {
    PutString(out, name);
    PutString(out, value);
  };
  if (!response.etag.empty()) put_header(kEtagHeader, response.etag);
  if (response.event_sequence)
    put_header(kEventSequenceHeader, std::to_string(*response.event_sequence));
  for (const auto& [name, value] : response.headers) put_header(name, value);
  out.append(response.body_bytes());
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
  const MediaType* known =
      std::find_if(std::begin(kAllMediaTypes), std::end(kAllMediaTypes),
                   [&content_type](MediaType type) { return MediaTypeName(type) == content_type; });
  if (known == std::end(kAllMediaTypes)) return std::nullopt;
  response.content_type = *known;
  response.status = static_cast<int>(status);
  for (std::uint32_t i = 0; i < headers; ++i) {
    std::string name, value;
    if (!GetString(bytes, name) || !GetString(bytes, value)) return std::nullopt;
    if (name == kEtagHeader) {
      response.etag = std::move(value);
    } else if (std::uint64_t sequence = 0;
               name == kEventSequenceHeader &&
               std::from_chars(value.data(), value.data() + value.size(), sequence).ptr ==
                   value.data() + value.size()) {
      response.event_sequence = sequence;
    } else {
      response.headers.emplace_back(std::move(name), std::move(value));
    }
  }
  response.body.assign(bytes);
  return response;
}

}  // namespace flagledger

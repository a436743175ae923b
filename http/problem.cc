#include "http/problem.h"

#include "core/json_writer.h"

namespace flagledger {

std::string_view ReasonPhrase(int http_status) {
  switch (http_status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
  }
  return "Error";
}

std::string QuoteForMessage(std::string_view text) {
  constexpr std::size_t kMaxQuoted = 64;
  std::string out;
  for (char c : text.substr(0, kMaxQuoted)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  if (text.size() > kMaxQuoted) out += "...";
  return out;
}

HttpResponse ProblemResponse(const Status& status) {
  HttpResponse response;
  response.status = ErrorCodeHttpStatus(status.code());
  response.content_type = MediaType::kProblemJson;
  std::string& out = response.body;
  out += "{\"type\":\"about:blank\",\"title\":";
  AppendJsonString(out, ReasonPhrase(response.status));
  out += ",\"status\":";
  AppendJsonUint(out, static_cast<unsigned>(response.status));
  out += ",\"detail\":";
  // Internal errors never expose their internals.
  AppendJsonString(
      out, status.code() == ErrorCode::kInternal ? "an internal error occurred" : status.detail());
  out += ",\"code\":";
  AppendJsonString(out, ErrorCodeName(status.code()));
  if (!status.field_errors().empty()) {
    out += ",\"errors\":[";
    bool first = true;
    for (const FieldError& error : status.field_errors()) {
      if (!first) out.push_back(',');
      first = false;
      out += "{\"field\":";
      AppendJsonString(out, error.field);
      out += ",\"message\":";
      AppendJsonString(out, error.message);
      out.push_back('}');
    }
    out.push_back(']');
  }
  out.push_back('}');
  return response;
}

}  // namespace flagledger

#include "http/response_head.h"

#include <charconv>

#include "http/problem.h"

namespace flagledger {
namespace {

void AppendHeader(std::string& head, std::string_view name, std::string_view value) {
  head += name;
  head += ": ";
  head += value;
  head += "\r\n";
}

void AppendNumberHeader(std::string& head, std::string_view name, std::uint64_t value) {
  char digits[20];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  AppendHeader(head, name, std::string_view(digits, end - digits));
}

}  // namespace

void WriteResponseHead(std::string& head, const HttpResponse& answer,
                       const ResponseHeadOptions& options) {
  head.clear();
  head += options.http10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  char digits[12];
  auto end = std::to_chars(digits, digits + sizeof digits, answer.status).ptr;
  head.append(digits, end);
  head += ' ';
  head += ReasonPhrase(answer.status);
  head += "\r\nServer: flagledger\r\n";
  AppendHeader(head, "Content-Type", MediaTypeName(answer.content_type));
  AppendHeader(head, kRequestIdHeader, options.request_id);
  if (!answer.etag.empty()) AppendHeader(head, kEtagHeader, answer.etag);
  if (answer.event_sequence) {
    AppendNumberHeader(head, kEventSequenceHeader, *answer.event_sequence);
  }
  for (const auto& [name, value] : answer.headers) AppendHeader(head, name, value);
  if (options.chunked) {
    head += "Transfer-Encoding: chunked\r\n";
  } else if (answer.status != 304) {
    AppendNumberHeader(head, "Content-Length", answer.body_bytes().size());
  }
  if (!options.keep_alive && !options.http10) head += "Connection: close\r\n";
  if (options.keep_alive && options.http10) head += "Connection: keep-alive\r\n";
  head += "\r\n";
}

}  // namespace flagledger

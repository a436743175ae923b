#include "http/access_log.h"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "core/clock.h"
#include "core/json_writer.h"

namespace flagledger {
namespace {

// Log lines must stay valid JSON whatever bytes a client sent: anything outside printable
// ASCII is written as '?'.
void AppendAsciiJsonString(std::string& out, std::string_view text) {
  std::string ascii(text);
  for (char& c : ascii) {
    if (static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  AppendJsonString(out, ascii);
}

std::string LinePrefix(std::string_view level, std::string_view message) {
  std::string line = "{\"time\":\"";
  SystemClock().Now().AppendMicros(line);
  line += "\",\"level\":";
  AppendJsonString(line, level);
  line += ",\"msg\":";
  AppendJsonString(line, message);
  return line;
}

void WriteLine(std::string& line) {
  line += "}\n";
  // One write(2) per line keeps lines whole when threads log at once.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace

void LogRequest(std::string_view method, std::string_view path, int status,
                std::chrono::steady_clock::duration duration, std::string_view request_id) {
  std::string line = LinePrefix("info", "request");
  line += ",\"method\":";
  AppendAsciiJsonString(line, method);
  line += ",\"path\":";
  AppendAsciiJsonString(line, path);
  line += ",\"status\":";
  AppendJsonUint(line, static_cast<unsigned>(status));
  char duration_ms[32];
  std::snprintf(duration_ms, sizeof(duration_ms), "%.3f",
                std::chrono::duration<double, std::milli>(duration).count());
  line += ",\"duration_ms\":";
  line += duration_ms;
  line += ",\"request_id\":";
  AppendAsciiJsonString(line, request_id);
  WriteLine(line);
}

void LogEvent(std::string_view level, std::string_view message, std::string_view fields_json) {
  std::string line = LinePrefix(level, message);
  if (!fields_json.empty()) {
    line.push_back(',');
    line += fields_json;
  }
  WriteLine(line);
}

}  // namespace flagledger

// One JSON line per answered request, written to stderr.
#pragma once

#include <chrono>
#include <string_view>

namespace flagledger {

// Writes {"time","level":"info","msg":"request","method","path","status","duration_ms",
// "request_id"} as one line. `path` excludes the query string (it may carry secrets).
// Thread-safe: each line is a single write.
void LogRequest(std::string_view method, std::string_view path, int status,
                std::chrono::steady_clock::duration duration, std::string_view request_id);

// Writes {"time","level","msg", ...fields} as one line; `fields_json` is either empty or
// members to append, e.g. "\"port\":8080".
void LogEvent(std::string_view level, std::string_view message, std::string_view fields_json = {});

}  // namespace flagledger

// The small files beside the log (snapshots, backup records, spool requests and answers):
// read whole, and replaced whole and durably, so that a reader sees the old file or the new
// one, never a part, also after a crash.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace flagledger {

// Writes `bytes` to PATH.tmp, fsyncs it, renames it to `path` and fsyncs the directory.
// kUnavailable (naming the step and errno) on failure; the temporary file is removed then.
Status ReplaceFileDurably(const std::string& path, std::string_view bytes);

// fsyncs `directory`, so that the entries renamed into it last. kUnavailable on failure.
Status SyncDirectory(const std::string& directory);

// The whole content of `path`, or nullopt when it cannot be read.
std::optional<std::string> ReadWholeFile(const std::string& path);

}  // namespace flagledger

// Command-line options of the offline commands: --name value, --name=value, and switches.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "events/event_log.h"

namespace flagledger {

struct CommandOptions {
  std::map<std::string, std::string, std::less<>> values;  // by name, without "--"
  bool has(std::string_view name) const { return values.count(name) > 0; }
  const std::string& get(std::string_view name) const { return values.find(name)->second; }
};

// Fails (kValidationFailed, naming the option) on unknown options, missing values or
// positional arguments. "--help" is the switch "help" in every command.
Result<CommandOptions> ParseCommandOptions(const std::vector<std::string>& args,
                                           std::initializer_list<std::string_view> with_value,
                                           std::initializer_list<std::string_view> switches);

// The options as query parameters (history_query.h's ParamLookup): the parameter
// "flag_key_prefix" is the option --flag-key-prefix. `options` must outlive the lookup.
std::function<std::optional<std::string_view>(std::string_view)> OptionsAsParams(
    const CommandOptions& options);

// The data directory's log, opened as a RocksDB secondary so that it works beside a running
// server. On failure prints "flagledger COMMAND: reason" to stderr and returns null.
std::unique_ptr<EventLog> OpenLogForReading(const std::string& data_dir, std::string_view command);

// True when another process (a running server) holds the log's lock in `data_dir`.
bool LogLockedByAnotherProcess(const std::string& data_dir);

}  // namespace flagledger

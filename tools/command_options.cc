#include "tools/command_options.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace flagledger {

Result<CommandOptions> ParseCommandOptions(const std::vector<std::string>& args,
                                           std::initializer_list<std::string_view> with_value,
                                           std::initializer_list<std::string_view> switches) {
  auto listed = [](std::initializer_list<std::string_view> names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  CommandOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      options.values["help"] = "";
      continue;
    }
    if (!arg.starts_with("--")) {
      return Status(ErrorCode::kValidationFailed, arg + ": unexpected argument (see --help)");
    }
    std::string name = arg.substr(2), value;
    std::size_t equals = name.find('=');
    bool inline_value = equals != std::string::npos;
    if (inline_value) {
      value = name.substr(equals + 1);
      name.resize(equals);
    }
    if (listed(switches, name) && !inline_value) {
      options.values[name] = "";
    } else if (listed(with_value, name)) {
      if (!inline_value) {
        if (i + 1 >= args.size())
          return Status(ErrorCode::kValidationFailed, arg + ": needs a value");
        value = args[++i];
      }
      options.values[name] = value;
    } else {
      return Status(ErrorCode::kValidationFailed, "--" + name + ": unknown option (see --help)");
    }
  }
  return options;
}

std::unique_ptr<EventLog> OpenLogForReading(const std::string& data_dir, std::string_view command) {
  EventLogOptions options;
  options.secondary = true;
  auto log = EventLog::Open(data_dir, options);
  if (!log.ok()) {
    std::fprintf(stderr, "flagledger %.*s: %s\n", static_cast<int>(command.size()), command.data(),
                 log.status().detail().c_str());
    return nullptr;
  }
  return std::move(log).value();
}

}  // namespace flagledger

namespace flagledger {

bool LogLockedByAnotherProcess(const std::string& data_dir) {
  int fd = ::open((data_dir + "/log/LOCK").c_str(), O_RDWR);
  if (fd < 0) return false;
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  bool held = ::fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

std::function<std::optional<std::string_view>(std::string_view)> OptionsAsParams(
    const CommandOptions& options) {
  return [&options](std::string_view name) -> std::optional<std::string_view> {
    std::string option(name);
    for (char& c : option) c = c == '_' ? '-' : c;
    if (!options.has(option)) return std::nullopt;
    return std::string_view(options.get(option));
  };
}

}  // namespace flagledger

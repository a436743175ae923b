// Runs the real flagledger binary on a free loopback port for integration tests.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace flagledger {

class ServerProcess {
 public:
  // `data_dir` is the server's --data-dir; its log goes to data_dir + ".log".
  explicit ServerProcess(std::string data_dir, std::vector<std::string> extra_args = {});
  ~ServerProcess();  // kills the process if it still runs
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts `flagledger serve --listen 127.0.0.1:0` and waits until it logged "ready" (so the
  // start-up log lines are all written) and /readyz answers 200.
  // Throws std::runtime_error (with the server's log) when it does not come up in 20 s.
  // With `until_ready` false, returns once it logged "ready" (a follower that cannot reach
  // its leader stays unready).
  void Start(bool until_ready = true);
  // SIGTERM, then waits; returns the exit status (or -1 when it had to be killed).
  int Stop();
  // SIGKILL, then waits: a crash.
  void Kill();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  std::uint16_t port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  std::string Log() const;

 private:
  std::string data_dir_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

// The path of the flagledger binary under test.
std::string FlagledgerBinary();

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

// Runs `flagledger ARGUMENTS` (through the shell, so environment assignments and quoting work
// with a leading "env VAR=value") and waits for it.
CommandResult RunFlagledger(const std::string& arguments, const std::string& environment = "");

}  // namespace flagledger

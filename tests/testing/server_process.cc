#include "tests/testing/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/testing/http_client.h"

namespace flagledger {
namespace {

using std::chrono::steady_clock;

bool WaitForExit(pid_t pid, std::chrono::milliseconds timeout, int& status) {
  auto deadline = steady_clock::now() + timeout;
  while (steady_clock::now() < deadline) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace

std::string FlagledgerBinary() { return FLAGLEDGER_BINARY; }

CommandResult RunFlagledger(const std::string& arguments, const std::string& environment) {
  CommandResult result;
  std::string command = environment + " " + FlagledgerBinary() + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof(buffer), pipe)) result.out.append(buffer, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

ServerProcess::ServerProcess(std::string data_dir, std::vector<std::string> extra_args)
    : data_dir_(std::move(data_dir)), extra_args_(std::move(extra_args)) {}

ServerProcess::~ServerProcess() {
  if (running()) Kill();
}

std::string ServerProcess::Log() const {
  std::ifstream in(data_dir_ + ".log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void ServerProcess::Start(bool until_ready) {
  std::vector<std::string> args = {FlagledgerBinary(), "serve",       "--data-dir", data_dir_,
                                   "--listen",         "127.0.0.1:0", "--threads",  "2"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::string log_path = data_dir_ + ".log";
  std::size_t log_offset = Log().size();  // a restart appends to the same log

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) dup2(fd, STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }

  static const std::regex kListening(R"re("msg":"listening".*"port":(\d+))re");
  auto deadline = steady_clock::now() + std::chrono::seconds(20);
  port_ = 0;
  while (steady_clock::now() < deadline) {
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("flagledger exited during start-up:\n" + Log());
    }
    std::string log = Log().substr(log_offset);
    std::smatch match;
    if (port_ == 0 && std::regex_search(log, match, kListening)) {
      port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
    }
    // Ready once it logged so (the start-up lines are complete) and /readyz agrees.
    if (port_ != 0 && log.find("\"msg\":\"ready\"") != std::string::npos) {
      if (!until_ready) return;
      try {
        if (HttpClient(port_).Send("GET", "/readyz").status == 200) return;
      } catch (const std::exception&) {
        // not accepting yet
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Kill();
  throw std::runtime_error("flagledger did not become ready:\n" + Log());
}

int ServerProcess::Stop() {
  if (!running()) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  if (!WaitForExit(pid_, std::chrono::seconds(20), status)) {
    Kill();
    return -1;
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServerProcess::Kill() {
  if (!running()) return;
  kill(pid_, SIGKILL);
  int status;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace flagledger

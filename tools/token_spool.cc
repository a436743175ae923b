#include "tools/token_spool.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "projections/file_io.h"
#include "tools/command_options.h"

namespace flagledger {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kRequestSuffix = ".request";
constexpr std::string_view kBackupSuffix = ".backup";  // holds the backup directory's path
constexpr std::string_view kResultSuffix = ".result";

std::string SpoolDir(const std::string& data_dir) { return data_dir + "/spool"; }

Status EnsureSpoolDir(const std::string& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error)
    return Status(ErrorCode::kUnavailable, "cannot create " + dir + ": " + error.message());
  ::chmod(dir.c_str(), 0700);
  return Status::Ok();
}

// "ok\n<payload>" or "error <code number>\n<detail>".
std::string EncodeOutcome(const Status& outcome, const std::string& payload = "") {
  if (outcome.ok()) return "ok\n" + payload;
  return "error " + std::to_string(static_cast<int>(outcome.code())) + "\n" + outcome.detail();
}

Status ParseOutcome(const std::string& text, std::string* payload = nullptr) {
  if (text.starts_with("ok\n")) {
    if (payload) *payload = text.substr(3);
    return Status::Ok();
  }
  std::size_t newline = text.find('\n');
  if (!text.starts_with("error ") || newline == std::string::npos) {
    return Status(ErrorCode::kInternal, "the server's answer is unreadable");
  }
  int code = std::atoi(text.c_str() + 6);
  if (code < 0 || code > static_cast<int>(ErrorCode::kUnavailable))
    code = static_cast<int>(ErrorCode::kInternal);
  return Status(static_cast<ErrorCode>(code), text.substr(newline + 1));
}

}  // namespace

namespace {

// A request file's name: unique among concurrent requests, nothing more.
std::string NewRequestId() {
  std::random_device random;
  char text[17];
  std::snprintf(text, sizeof text, "%08x%08x", random(), random());
  return std::string("backup-") + text;
}

// Drops `text` into the spool as <request_id><suffix> and waits for the server's answer.
Status Exchange(const std::string& data_dir, const std::string& request_id, std::string_view suffix,
                const std::string& text, std::chrono::milliseconds timeout, std::string* payload) {
  std::string dir = SpoolDir(data_dir);
  Status ready = EnsureSpoolDir(dir);
  if (!ready.ok()) return ready;
  std::string request_path = dir + "/" + request_id + std::string(suffix);
  std::string result_path = dir + "/" + request_id + std::string(kResultSuffix);
  if (!ReplaceFileDurably(request_path, text).ok()) {
    return Status(ErrorCode::kUnavailable, "cannot write to " + dir);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (int round = 1; std::chrono::steady_clock::now() < deadline; ++round) {
    if (auto answer = ReadWholeFile(result_path)) {
      std::error_code ignored;
      fs::remove(result_path, ignored);
      return ParseOutcome(*answer, payload);
    }
    // A server that stopped (or crashed) answers nothing: stop waiting within a second.
    if (round % 50 == 0 && !LogLockedByAnotherProcess(data_dir)) {
      std::error_code ignored;
      bool withdrawn = fs::remove(request_path, ignored);
      return Status(ErrorCode::kUnavailable,
                    withdrawn ? "no server runs on " + data_dir + "; nothing was changed"
                              : "the server stopped before it answered");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::error_code error;
  if (fs::remove(request_path, error)) {
    return Status(ErrorCode::kUnavailable, "the server did not take the request within " +
                                               std::to_string(timeout.count()) +
                                               " ms; nothing was changed");
  }
  return Status(ErrorCode::kUnavailable, "the server took the request but did not answer in time");
}

}  // namespace

Status SendThroughSpool(const std::string& data_dir, const TokenRequest& request,
                        std::chrono::milliseconds timeout) {
  Status outcome = Exchange(data_dir, request.request_id, kRequestSuffix,
                            EncodeTokenRequest(request), timeout, nullptr);
  if (!outcome.ok() && outcome.code() == ErrorCode::kUnavailable &&
      outcome.detail().ends_with("in time")) {
    return Status(ErrorCode::kUnavailable,
                  outcome.detail() + "; see `flagledger token list` for whether it was applied");
  }
  return outcome;
}

Result<std::string> SendBackupThroughSpool(const std::string& data_dir,
                                           const std::string& backup_dir,
                                           std::chrono::milliseconds timeout) {
  std::string payload;
  Status outcome = Exchange(data_dir, NewRequestId(), kBackupSuffix, backup_dir, timeout, &payload);
  if (!outcome.ok()) return outcome;
  return payload;
}

SpoolIngester::SpoolIngester(
    const std::string& data_dir, FlagStore& store,
    std::function<void(std::string_view what, const std::string& detail)> on_problem)
    : spool_dir_(SpoolDir(data_dir)),
      store_(store),
      snapshots_(data_dir),
      on_problem_(std::move(on_problem)) {}

SpoolIngester::~SpoolIngester() { Stop(); }

void SpoolIngester::Start() {
  Status ready = EnsureSpoolDir(spool_dir_);
  if (!ready.ok()) on_problem_("token spool unusable", ready.detail());
  thread_ = std::thread([this] { Run(); });
}

void SpoolIngester::Stop() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
    changed_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  MutexLock lock(mutex_);
  changed_.wait(mutex_, [this]() REQUIRES(mutex_) { return in_flight_.empty(); });
}

void SpoolIngester::Run() {
  while (true) {
    IngestOnce();
    MutexLock lock(mutex_);
    changed_.wait_for(mutex_, std::chrono::milliseconds(200),
                      [this]() REQUIRES(mutex_) { return stopping_; });
    if (stopping_) return;
  }
}

void SpoolIngester::IngestOnce() {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(spool_dir_, error)) {
    std::string file = entry.path().filename().string();
    if (file.ends_with(kBackupSuffix)) {
      RunBackup(file.substr(0, file.size() - kBackupSuffix.size()), entry.path().string());
      continue;
    }
    if (!file.ends_with(kRequestSuffix)) continue;
    std::string request_id = file.substr(0, file.size() - kRequestSuffix.size());
    {
      MutexLock lock(mutex_);
      if (stopping_ || !in_flight_.insert(request_id).second) continue;
    }
    auto text = ReadWholeFile(entry.path().string());
    auto request = text ? ParseTokenRequest(*text)
                        : Result<TokenRequest>(Status(ErrorCode::kInternal, "unreadable"));
    if (!request.ok() || request->request_id != request_id) {
      on_problem_("token request rejected", file + ": " + request.status().detail());
      Finish(request_id, request.ok() ? Status(ErrorCode::kValidationFailed,
                                               "the request id differs from the file name")
                                      : request.status());
      continue;
    }
    store_.Submit(
        request->ToCommand(), request->Context(),
        [this, request_id](const WriteOutcome& outcome) { Finish(request_id, outcome.status); });
  }
}

void SpoolIngester::RunBackup(const std::string& request_id, const std::string& path) {
  auto backup_dir = ReadWholeFile(path);
  std::error_code ignored;
  fs::remove(path, ignored);
  if (!backup_dir) return;
  Result<BackupSummary> backup =
      backup_dir->empty()
          ? Result<BackupSummary>(Status(ErrorCode::kValidationFailed, "no backup directory named"))
          : CreateVerifiedBackup(store_.log(), snapshots_, *backup_dir);
  if (!backup.ok()) on_problem_("backup failed", backup.status().detail());
  std::string result = spool_dir_ + "/" + request_id + std::string(kResultSuffix);
  std::string text = backup.ok() ? EncodeOutcome(Status::Ok(), BackupSummaryJson(*backup))
                                 : EncodeOutcome(backup.status());
  if (!ReplaceFileDurably(result, text).ok())
    on_problem_("backup unanswered", "cannot write " + result);
}

void SpoolIngester::Finish(const std::string& request_id, const Status& outcome) {
  std::string base = spool_dir_ + "/" + request_id;
  // The request goes first: whoever sees the answer finds the request taken away.
  std::error_code ignored;
  fs::remove(base + std::string(kRequestSuffix), ignored);
  if (!ReplaceFileDurably(base + std::string(kResultSuffix), EncodeOutcome(outcome)).ok()) {
    on_problem_("token request unanswered", "cannot write " + base + std::string(kResultSuffix));
  }
  MutexLock lock(mutex_);
  in_flight_.erase(request_id);
  changed_.notify_all();
}

}  // namespace flagledger

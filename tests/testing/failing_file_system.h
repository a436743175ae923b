// A RocksDB FileSystem whose file writes and syncs fail on demand, as a dying disk's would.
// RocksDB 7.8 does not ship FaultInjectionTestFS, so this wraps its public FileSystemWrapper.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

namespace flagledger {

class FailingFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FailingFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FailingFileSystem"; }

  // While set, every Append, Flush and Sync of a file opened for writing fails.
  void SetFailing(bool failing) { failing_->store(failing); }
  // Every Sync takes at least this long, as a slow disk's would.
  void SetSyncDelay(std::chrono::milliseconds delay) { sync_delay_ms_->store(delay.count()); }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, result, debug);
    if (status.ok()) *result = std::make_unique<File>(std::move(*result), failing_, sync_delay_ms_);
    return status;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus status = target()->ReopenWritableFile(name, options, result, debug);
    if (status.ok()) *result = std::make_unique<File>(std::move(*result), failing_, sync_delay_ms_);
    return status;
  }

  // An Env over this file system, for EventLogOptions::env.
  static std::pair<std::shared_ptr<FailingFileSystem>, std::unique_ptr<rocksdb::Env>> Make() {
    auto fs = std::make_shared<FailingFileSystem>();
    auto env = rocksdb::NewCompositeEnv(fs);
    return {fs, std::move(env)};
  }

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> file, std::shared_ptr<std::atomic<bool>> failing,
         std::shared_ptr<std::atomic<long>> sync_delay_ms)
        : FSWritableFileOwnerWrapper(std::move(file)),
          failing_(std::move(failing)),
          sync_delay_ms_(std::move(sync_delay_ms)) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
      if (*failing_) return rocksdb::IOStatus::IOError("injected: Input/output error");
      return FSWritableFileOwnerWrapper::Append(data, options, debug);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* debug) override {
      if (*failing_) return rocksdb::IOStatus::IOError("injected: Input/output error");
      return FSWritableFileOwnerWrapper::Append(data, options, info, debug);
    }
    rocksdb::IOStatus Flush(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* debug) override {
      if (*failing_) return rocksdb::IOStatus::IOError("injected flush: Input/output error");
      return FSWritableFileOwnerWrapper::Flush(options, debug);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
      std::this_thread::sleep_for(std::chrono::milliseconds(sync_delay_ms_->load()));
      if (*failing_) return rocksdb::IOStatus::IOError("injected sync: Input/output error");
      return FSWritableFileOwnerWrapper::Sync(options, debug);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* debug) override {
      std::this_thread::sleep_for(std::chrono::milliseconds(sync_delay_ms_->load()));
      if (*failing_) return rocksdb::IOStatus::IOError("injected sync: Input/output error");
      return FSWritableFileOwnerWrapper::Fsync(options, debug);
    }

   private:
    std::shared_ptr<std::atomic<bool>> failing_;
    std::shared_ptr<std::atomic<long>> sync_delay_ms_;
  };

  std::shared_ptr<std::atomic<bool>> failing_ = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<std::atomic<long>> sync_delay_ms_ = std::make_shared<std::atomic<long>>(0);
};

}  // namespace flagledger

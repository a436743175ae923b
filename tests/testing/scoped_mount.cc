#include "tests/testing/scoped_mount.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace flagledger {
namespace {

// Runs `command` through the shell; its output goes to `output`. True when it exits 0.
bool Run(const std::string& command, std::string* output = nullptr) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return false;
  char buffer[512];
  std::string text;
  while (std::fgets(buffer, sizeof buffer, pipe)) text += buffer;
  int status = ::pclose(pipe);
  if (output) *output = text;
  return status == 0;
}

std::string MakeBase() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/flagledger-mount-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  return ::mkdtemp(buffer.data()) ? std::string(buffer.data()) : std::string();
}

}  // namespace

std::unique_ptr<ScopedMount> ScopedMount::Tmpfs(std::size_t mebibytes, std::string* why) {
  if (::geteuid() != 0) {
    *why = "mounting needs root";
    return nullptr;
  }
  std::unique_ptr<ScopedMount> mount(new ScopedMount());
  mount->base_ = MakeBase();
  mount->path_ = mount->base_ + "/mnt";
  std::filesystem::create_directory(mount->path_);
  if (!Run("mount -t tmpfs -o size=" + std::to_string(mebibytes) + "m flagledger-test " +
               mount->path_,
           why)) {
    mount->path_.clear();
    return nullptr;
  }
  return mount;
}

std::unique_ptr<ScopedMount> ScopedMount::Ext4(std::size_t mebibytes, std::string* why) {
  if (::geteuid() != 0) {
    *why = "mounting needs root";
    return nullptr;
  }
  std::unique_ptr<ScopedMount> mount(new ScopedMount());
  mount->base_ = MakeBase();
  mount->path_ = mount->base_ + "/mnt";
  mount->image_ = mount->base_ + "/ext4.img";
  std::filesystem::create_directory(mount->path_);
  std::string device;
  if (!Run("truncate -s " + std::to_string(mebibytes) + "M " + mount->image_ + " && mkfs.ext4 -q " +
               mount->image_,
           why) ||
      !Run("losetup --find --show " + mount->image_, &device)) {
    if (why->empty()) *why = "no loop device: " + device;
    mount->path_.clear();
    return nullptr;
  }
  while (!device.empty() && device.back() == '\n') device.pop_back();
  mount->device_ = device;
  if (!mount->MountAgain()) {
    *why = "cannot mount " + device;
    mount->path_.clear();
    return nullptr;
  }
  return mount;
}

bool ScopedMount::MountAgain() {
  Run("umount " + path_);
  return Run("mount -t ext4 -o errors=remount-ro " + device_ + " " + path_);
}

ScopedMount::~ScopedMount() {
  if (!path_.empty()) Run("umount -l " + path_);
  if (!device_.empty()) Run("losetup -d " + device_);
  std::error_code ignored;
  if (!base_.empty()) std::filesystem::remove_all(base_, ignored);
}

std::size_t ScopedMount::Fill() {
  int fd = ::open((path_ + "/filler").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return 0;
  std::vector<char> chunk(std::size_t{1} << 20, 'x');
  std::size_t written = 0;
  // Big chunks first, then ever smaller ones, down to a byte: not a page is left over.
  for (std::size_t size = chunk.size(); size > 0; size /= 2) {
    while (true) {
      ssize_t n = ::write(fd, chunk.data(), size);
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
  }
  ::fsync(fd);
  ::close(fd);
  return written;
}

void ScopedMount::Unfill() { ::unlink((path_ + "/filler").c_str()); }

bool ScopedMount::Resize(std::size_t mebibytes) {
  return Run("mount -o remount,size=" + std::to_string(mebibytes) + "m " + path_);
}

bool ScopedMount::TriggerFileSystemError() {
  std::string name = std::filesystem::path(device_).filename().string();
  {
    std::ofstream trigger("/sys/fs/ext4/" + name + "/trigger_fs_error");
    trigger << "1\n";
    if (!trigger.flush()) return false;
  }
  // The kernel acts on the error report a moment later; wait until /proc/mounts shows it.
  for (int i = 0; i < 100; ++i) {
    std::ifstream mounts("/proc/mounts");
    for (std::string line; std::getline(mounts, line);) {
      bool read_only = line.find(" ro,") != std::string::npos ||
                       line.find("emergency_ro") != std::string::npos;  // Linux 6.12 on
      if (line.find(" " + path_ + " ") != std::string::npos && read_only) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace flagledger

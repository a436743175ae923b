// A small file system mounted for one test, as root: a size-limited tmpfs or an ext4 image on
// a loop device. Full-disk and read-only tests run the real server on it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace flagledger {

class ScopedMount {
 public:
  // Null (with `why` set) where this process cannot mount: not root, or no loop devices.
  static std::unique_ptr<ScopedMount> Tmpfs(std::size_t mebibytes, std::string* why);
  // ext4 mounted with errors=remount-ro, so that TriggerFileSystemError makes it read-only.
  static std::unique_ptr<ScopedMount> Ext4(std::size_t mebibytes, std::string* why);
  ~ScopedMount();  // unmounts (lazily, should a process still hold files) and removes it all
  ScopedMount(const ScopedMount&) = delete;
  ScopedMount& operator=(const ScopedMount&) = delete;

  const std::string& path() const { return path_; }

  // Fills the file system with PATH/filler until no byte more fits; returns the bytes written.
  std::size_t Fill();
  // Removes the filler: the space comes back.
  void Unfill();
  // tmpfs only: a new size limit (growing it frees space without touching a file).
  bool Resize(std::size_t mebibytes);
  // ext4 only: what a failing disk does, the kernel remounts it read-only at once.
  bool TriggerFileSystemError();
  // ext4 only: unmounts and mounts again read-write (the way back after an emergency
  // read-only, which the kernel does not let a remount undo). No file may be open on it.
  bool MountAgain();

 private:
  ScopedMount() = default;
  std::string base_;    // temp directory holding the mount point (and the image)
  std::string path_;    // the mount point
  std::string image_;   // ext4: the image file
  std::string device_;  // ext4: loopN
};

}  // namespace flagledger

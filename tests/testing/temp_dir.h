// A fresh directory under $TMPDIR (or /tmp), removed with everything in it at destruction.
#pragma once

#include <string>

namespace flagledger {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace flagledger

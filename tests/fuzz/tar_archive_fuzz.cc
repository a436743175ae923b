// The checkpoint archive reader (http/tar_archive.h), which reads what a leader sends: any
// input is read or refused without a crash; every member it hands on has a name TarNameProblem
// accepts and exactly its declared size; and how the bytes are split into pieces changes
// nothing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/tar_archive.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

class CheckingSink : public flagledger::TarReader::Sink {
 public:
  flagledger::Status Begin(std::string_view name, std::uint64_t size) override {
    FUZZ_CHECK(!open_);
    FUZZ_CHECK(flagledger::TarNameProblem(name).empty());
    open_ = true;
    declared_ = size;
    written_ = 0;
    log_ += std::string(name) + ":" + std::to_string(size) + ";";
    return flagledger::Status::Ok();
  }
  flagledger::Status Write(std::string_view bytes) override {
    FUZZ_CHECK(open_);
    written_ += bytes.size();
    FUZZ_CHECK(written_ <= declared_);
    for (char c : bytes) checksum_ = checksum_ * 31 + static_cast<unsigned char>(c);
    return flagledger::Status::Ok();
  }
  flagledger::Status End() override {
    FUZZ_CHECK(open_ && written_ == declared_);
    open_ = false;
    return flagledger::Status::Ok();
  }
  std::string Summary() const { return log_ + std::to_string(checksum_); }

 private:
  bool open_ = false;
  std::uint64_t declared_ = 0, written_ = 0, checksum_ = 0;
  std::string log_;
};

// Reads `input` in pieces of `piece` bytes; what the sink saw, whether the archive was
// refused, and whether it finished.
std::string Read(std::string_view input, std::size_t piece) {
  CheckingSink sink;
  flagledger::TarReader reader(sink);
  bool refused = false;
  for (std::size_t at = 0; at < input.size() && !refused; at += piece) {
    refused = !reader.Feed(input.substr(at, piece)).ok();
  }
  return sink.Summary() + (refused ? "|refused" : "") + (reader.finished() ? "|finished" : "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string whole = Read(input, input.size() + 1);
  std::size_t piece = size > 0 ? 1 + data[0] % 97 : 1;
  FUZZ_CHECK(Read(input, piece) == whole);
  return 0;
}

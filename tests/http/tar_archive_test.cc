#include "http/tar_archive.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "tests/testing/temp_dir.h"

namespace flagledger {
namespace {

// Collects the members an archive holds.
class Collector : public TarReader::Sink {
 public:
  Status Begin(std::string_view name, std::uint64_t size) override {
    current_ = std::string(name);
    files[current_];
    sizes[current_] = size;
    return Status::Ok();
  }
  Status Write(std::string_view bytes) override {
    files[current_].append(bytes);
    return Status::Ok();
  }
  Status End() override {
    ++ended;
    return Status::Ok();
  }
  std::map<std::string, std::string> files;
  std::map<std::string, std::uint64_t> sizes;
  int ended = 0;

 private:
  std::string current_;
};

std::string Archive(const std::map<std::string, std::string>& files) {
  std::string out;
  for (const auto& [name, bytes] : files) {
    out += TarMemberHeader(name, bytes.size(), 1'700'000'000);
    out += bytes;
    out.append(TarPadding(bytes.size()), '\0');
  }
  out.append(kTarEndBytes, '\0');
  return out;
}

// Sets a hand-altered header's checksum again, so that only the alteration is wrong.
void Reseal(std::string& header) {
  std::fill_n(header.begin() + 148, 8, ' ');
  unsigned sum = 0;
  for (char c : header) sum += static_cast<unsigned char>(c);
  std::snprintf(header.data() + 148, 8, "%06o", sum);
  header[155] = ' ';
}

std::map<std::string, std::string> SampleFiles() {
  std::mt19937 random(7);
  std::map<std::string, std::string> files;
  for (std::size_t size : {0, 1, 511, 512, 513, 100'000}) {
    std::string bytes(size, '\0');
    for (char& c : bytes) c = static_cast<char>(random());
    files["log/file-" + std::to_string(size) + ".sst"] = bytes;
  }
  return files;
}

TEST(TarArchive, WhatIsWrittenReadsBackInPiecesOfAnySize) {
  auto files = SampleFiles();
  std::string archive = Archive(files);
  for (std::size_t piece :
       {std::size_t{1}, std::size_t{7}, std::size_t{512}, std::size_t{4096}, archive.size()}) {
    Collector collector;
    TarReader reader(collector);
    for (std::size_t at = 0; at < archive.size(); at += piece) {
      ASSERT_TRUE(reader.Feed(std::string_view(archive).substr(at, piece)).ok()) << piece;
    }
    EXPECT_TRUE(reader.finished());
    EXPECT_EQ(collector.files, files) << piece;
    EXPECT_EQ(collector.ended, static_cast<int>(files.size()));
  }
}

TEST(TarArchive, AnArchiveCutShortIsNotFinished) {
  std::string archive = Archive(SampleFiles());
  Collector collector;
  TarReader reader(collector);
  ASSERT_TRUE(reader.Feed(std::string_view(archive).substr(0, archive.size() - kTarBlock)).ok());
  EXPECT_FALSE(reader.finished()) << "one end block of two";
}

TEST(TarArchive, RefusesNamesThatLeaveTheDirectoryOrAreNotPlain) {
  for (std::string_view name : {"../etc/passwd", "/etc/passwd", "log//x", "log/./x", "log/..", "",
                                "log/a b", "log/\xc3\xa9", "log/x\\y"}) {
    EXPECT_FALSE(TarNameProblem(name).empty()) << name;
  }
  EXPECT_FALSE(TarNameProblem(std::string(100, 'a')).empty());
  for (std::string_view name : {"log/CURRENT", "log/000012.sst", "snapshots/snapshot-1.bin"}) {
    EXPECT_EQ(TarNameProblem(name), "") << name;
  }
  // A header naming such a path (written by hand: the writer never makes one) is refused.
  std::string header = TarMemberHeader("log/x", 1, 0);
  std::copy_n("../x\0", 5, header.begin());
  Reseal(header);
  Collector collector;
  TarReader reader(collector);
  Status refused = reader.Feed(header);
  EXPECT_EQ(refused.code(), ErrorCode::kValidationFailed);
  EXPECT_NE(refused.detail().find("'../x'"), std::string::npos) << refused.detail();
  EXPECT_TRUE(collector.files.empty());
  EXPECT_FALSE(reader.Feed(std::string(kTarBlock, '\0')).ok()) << "a refusal is final";
}

TEST(TarArchive, RefusesADamagedHeaderAndWhatIsNotARegularFile) {
  std::string damaged = Archive({{"log/CURRENT", "MANIFEST-000005\n"}});
  damaged[10] ^= 1;
  Collector collector;
  TarReader reader(collector);
  Status refused = reader.Feed(damaged);
  EXPECT_NE(refused.detail().find("checksum"), std::string::npos) << refused.detail();

  std::string link = TarMemberHeader("log/link", 0, 0);
  link[156] = '2';  // a symbolic link
  Reseal(link);
  Collector other;
  TarReader link_reader(other);
  Status not_regular = link_reader.Feed(link);
  EXPECT_NE(not_regular.detail().find("not a regular file"), std::string::npos)
      << not_regular.detail();
}

// The system's tar reads what we write, and we read what it writes.
TEST(TarArchive, InteroperatesWithTheSystemTar) {
  TempDir dir;
  auto files = SampleFiles();
  std::string path = dir.Sub("ours.tar");
  std::ofstream(path, std::ios::binary) << Archive(files);
  std::string unpacked = dir.Sub("unpacked");
  std::filesystem::create_directories(unpacked);
  ASSERT_EQ(std::system(("tar -xf " + path + " -C " + unpacked).c_str()), 0);
  for (const auto& [name, bytes] : files) {
    std::ifstream in(unpacked + "/" + name, std::ios::binary);
    std::stringstream read;
    read << in.rdbuf();
    EXPECT_EQ(read.str(), bytes) << name;
  }
  std::string theirs = dir.Sub("theirs.tar");
  ASSERT_EQ(std::system(("tar --format=ustar -cf " + theirs + " -C " + unpacked + " log").c_str()),
            0);
  std::ifstream in(theirs, std::ios::binary);
  std::stringstream archive;
  archive << in.rdbuf();
  Collector collector;
  TarReader reader(collector);
  ASSERT_TRUE(reader.Feed(archive.str()).ok());
  EXPECT_TRUE(reader.finished());
  EXPECT_EQ(collector.files, files);
}

}  // namespace
}  // namespace flagledger

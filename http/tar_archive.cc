#include "http/tar_archive.h"

#include <algorithm>
#include <cstring>

namespace flagledger {
namespace {

// Header fields: offset and width.
constexpr std::size_t kNameAt = 0, kNameWidth = 100;
constexpr std::size_t kModeAt = 100, kUidAt = 108, kGidAt = 116;
constexpr std::size_t kSizeAt = 124, kSizeWidth = 12;
constexpr std::size_t kMtimeAt = 136;
constexpr std::size_t kChecksumAt = 148, kChecksumWidth = 8;
constexpr std::size_t kTypeAt = 156;
constexpr std::size_t kMagicAt = 257;
constexpr std::size_t kPrefixAt = 345, kPrefixWidth = 155;

// `value` in octal, zero-padded to width - 1 digits and a NUL.
void PutOctal(std::string& block, std::size_t at, std::size_t width, std::uint64_t value) {
  for (std::size_t i = width - 1; i-- > 0;) {
    block[at + i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  block[at + width - 1] = '\0';
}

// An octal field, NUL- or space-terminated, leading spaces allowed; nullopt when malformed.
std::optional<std::uint64_t> ReadOctal(std::string_view field) {
  std::size_t i = 0;
  while (i < field.size() && field[i] == ' ') ++i;
  std::uint64_t value = 0;
  std::size_t digits = 0;
  for (; i < field.size() && field[i] >= '0' && field[i] <= '7'; ++i, ++digits) {
    if (value >> 60) return std::nullopt;
    value = value * 8 + static_cast<std::uint64_t>(field[i] - '0');
  }
  if (digits == 0) return std::nullopt;
  for (; i < field.size(); ++i) {
    if (field[i] != '\0' && field[i] != ' ') return std::nullopt;
  }
  return value;
}

std::uint64_t ChecksumOf(std::string_view block) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < block.size(); ++i) {
    bool in_field = i >= kChecksumAt && i < kChecksumAt + kChecksumWidth;
    sum += in_field ? static_cast<unsigned char>(' ') : static_cast<unsigned char>(block[i]);
  }
  return sum;
}

std::string_view CString(std::string_view field) { return field.substr(0, field.find('\0')); }

}  // namespace

std::string TarNameProblem(std::string_view name) {
  if (name.empty() || name.size() >= kNameWidth) return "must be 1 to 99 bytes";
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = std::min(name.find('/', start), name.size());
    std::string_view part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") {
      return "must be a relative path without empty, '.' or '..' parts";
    }
    for (char c : part) {
      bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '.' || c == '_' || c == '-';
      if (!allowed) return "may hold only A-Z a-z 0-9 . _ - and '/'";
    }
    start = end + 1;
  }
  return "";
}

std::string TarMemberHeader(std::string_view name, std::uint64_t size, std::int64_t mtime_seconds) {
  std::string block(kTarBlock, '\0');
  std::memcpy(block.data() + kNameAt, name.data(), name.size());
  PutOctal(block, kModeAt, 8, 0600);
  PutOctal(block, kUidAt, 8, 0);
  PutOctal(block, kGidAt, 8, 0);
  PutOctal(block, kSizeAt, kSizeWidth, size);
  PutOctal(block, kMtimeAt, 12,
           static_cast<std::uint64_t>(std::max<std::int64_t>(0, mtime_seconds)));
  block[kTypeAt] = '0';
  std::memcpy(block.data() + kMagicAt,
              "ustar\0"
              "00",
              8);
  // Six octal digits, a NUL and a space, as tar itself writes it.
  PutOctal(block, kChecksumAt, 7, ChecksumOf(block));
  block[kChecksumAt + 7] = ' ';
  return block;
}

Status TarReader::Feed(std::string_view bytes) {
  auto fail = [this](Status status) {
    state_ = State::kFailed;
    return status;
  };
  while (!bytes.empty()) {
    switch (state_) {
      case State::kFailed:
        return Status(ErrorCode::kValidationFailed, "the archive was refused before");
      case State::kFinished:
        // What follows the end blocks (tar pads archives to a record) must be zeros.
        if (bytes.find_first_not_of('\0') != std::string_view::npos) {
          return fail(Status(ErrorCode::kValidationFailed, "bytes follow the archive's end"));
        }
        return Status::Ok();
      case State::kHeader: {
        std::size_t take = std::min(bytes.size(), kTarBlock - header_.size());
        header_.append(bytes.substr(0, take));
        bytes.remove_prefix(take);
        if (header_.size() < kTarBlock) break;
        Status taken = TakeHeader();
        header_.clear();
        if (!taken.ok()) return fail(taken);
        break;
      }
      case State::kData: {
        std::size_t take =
            static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), remaining_));
        if (take > 0) {
          Status written = sink_.Write(bytes.substr(0, take));
          if (!written.ok()) return fail(written);
          bytes.remove_prefix(take);
          remaining_ -= take;
        }
        if (remaining_ == 0) {
          Status ended = sink_.End();
          if (!ended.ok()) return fail(ended);
          state_ = State::kPadding;
          remaining_ = padding_;
          if (remaining_ == 0) state_ = State::kHeader;
        }
        break;
      }
      case State::kPadding: {
        std::size_t take =
            static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), remaining_));
        bytes.remove_prefix(take);
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::kHeader;
        break;
      }
    }
  }
  return Status::Ok();
}

Status TarReader::TakeHeader() {
  auto refuse = [](const std::string& why) {
    return Status(ErrorCode::kValidationFailed, "not a checkpoint archive: " + why);
  };
  std::string_view block = header_;
  if (block.find_first_not_of('\0') == std::string_view::npos) {
    if (++zero_blocks_ == 2) state_ = State::kFinished;
    return Status::Ok();
  }
  if (zero_blocks_ != 0) return refuse("a member follows an end block");
  auto checksum = ReadOctal(block.substr(kChecksumAt, kChecksumWidth));
  if (!checksum || *checksum != ChecksumOf(block)) return refuse("a header's checksum is wrong");
  if (block.substr(kMagicAt, 5) != "ustar") return refuse("a header is not ustar");
  if (!CString(block.substr(kPrefixAt, kPrefixWidth)).empty()) {
    return refuse("a name is longer than 99 bytes");
  }
  std::string_view name = CString(block.substr(kNameAt, kNameWidth));
  auto size = ReadOctal(block.substr(kSizeAt, kSizeWidth));
  if (!size) return refuse("a header's size is malformed");
  char type = block[kTypeAt];
  if (type == '5') return Status::Ok();  // a directory: the sink makes those it needs
  if (type != '0' && type != '\0') {
    return refuse("member '" + std::string(name) + "' is not a regular file");
  }
  if (std::string problem = TarNameProblem(name); !problem.empty()) {
    return refuse("the name '" + std::string(name) + "' " + problem);
  }
  Status begun = sink_.Begin(name, *size);
  if (!begun.ok()) return begun;
  padding_ = TarPadding(*size);
  remaining_ = *size;
  state_ = State::kData;
  if (remaining_ == 0) {
    Status ended = sink_.End();
    if (!ended.ok()) return ended;
    state_ = padding_ == 0 ? State::kHeader : State::kPadding;
    remaining_ = padding_;
  }
  return Status::Ok();
}

}  // namespace flagledger

// The SemVer parser and precedence: any input parses or is refused; an accepted version keeps
// its text, and precedence is a consistent order (reflexive, antisymmetric on a split input).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/semver.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace flagledger;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t split = text.find('\n');
  auto first = SemVer::Parse(text.substr(0, split));
  if (first.ok()) {
    FUZZ_CHECK(first->text() == text.substr(0, split));
    FUZZ_CHECK(ComparePrecedence(*first, *first) == 0);
  }
  if (split == std::string_view::npos || !first.ok()) return 0;
  auto second = SemVer::Parse(text.substr(split + 1));
  if (!second.ok()) return 0;
  int forward = ComparePrecedence(*first, *second);
  int backward = ComparePrecedence(*second, *first);
  FUZZ_CHECK((forward < 0) == (backward > 0));
  FUZZ_CHECK((forward == 0) == (backward == 0));
  return 0;
}

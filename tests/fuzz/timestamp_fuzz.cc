// The RFC 3339 parser: any input parses or is refused; an accepted time renders to text that
// parses back to the same instant.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/timestamp.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace flagledger;
  auto parsed = ParseRfc3339(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed.ok()) return 0;
  std::string micros;
  parsed->time.AppendMicros(micros);
  auto again = ParseRfc3339(micros);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->time == parsed->time);
  std::string seconds;
  parsed->time.AppendSeconds(seconds);
  FUZZ_CHECK(ParseRfc3339(seconds).ok());
  return 0;
}

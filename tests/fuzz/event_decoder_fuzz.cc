// The event decoder on arbitrary bytes (a damaged log): a Status, never a crash; and whatever
// it accepts encodes back to an event it decodes to the same value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events/event_codec.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace flagledger;
  static EventDecoder decoder;
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto event = decoder.Decode(json);
  auto partial = decoder.Decode(json, EventDecoder::Parts::kWithoutChanges);
  FUZZ_CHECK(!event.ok() || partial.ok());
  if (!event.ok()) return 0;
  std::string encoded = EncodeEvent(*event);
  auto again = decoder.Decode(encoded);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(EncodeEvent(*again) == encoded);
  return 0;
}

// The event decoder on arbitrary bytes (a damaged log): a Status, never a crash; whatever it
// accepts encodes back to an event it decodes to the same value; and on valid JSON with unique
// member names (what EncodeEvent writes), decoding without changes accepts whatever the full
// decode accepts. Elsewhere the two may differ (see EventDecoder): on-demand parsing validates
// only what it reads, and finds the first member of a name after the one it read before.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>

#include "events/event_codec.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

// True when no object in `element` names a member twice (RFC 8259 leaves such objects'
// meaning to the reader).
bool MemberNamesUnique(simdjson::dom::element element) {
  simdjson::dom::object object;
  simdjson::dom::array array;
  if (!element.get(object)) {
    std::set<std::string_view> names;
    for (auto field : object) {
      if (!names.insert(field.key).second || !MemberNamesUnique(field.value)) return false;
    }
  } else if (!element.get(array)) {
    for (auto value : array) {
      if (!MemberNamesUnique(value)) return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace flagledger;
  static EventDecoder decoder;
  static simdjson::dom::parser validator;  // validates the whole document
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto event = decoder.Decode(json);
  auto partial = decoder.Decode(json, EventDecoder::Parts::kWithoutChanges);
  simdjson::padded_string padded(json);
  simdjson::dom::element document;
  bool as_encoded = !validator.parse(padded).get(document) && MemberNamesUnique(document);
  FUZZ_CHECK(!as_encoded || !event.ok() || partial.ok());
  if (partial.ok()) {
    auto again = decoder.Decode(EncodeEvent(*partial), EventDecoder::Parts::kWithoutChanges);
    FUZZ_CHECK(again.ok());
  }
  if (!event.ok()) return 0;
  std::string encoded = EncodeEvent(*event);
  auto again = decoder.Decode(encoded);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(EncodeEvent(*again) == encoded);
  return 0;
}

#include "events/event_chain.h"

#include <charconv>

#include "core/sha256.h"

namespace flagledger {

std::string EncodeChainedEvent(Event& event, std::string_view previous_hash) {
  event.previous_hash.assign(previous_hash);
  event.hash.clear();
  std::string json = EncodeEvent(event);  // ends with "previous_hash":"…"}
  event.hash = Sha256Hex(json);
  json.pop_back();
  json += ",\"hash\":\"";
  json += event.hash;
  json += "\"}";
  return json;
}

std::string ChainHash(const SealedEvent& sealed) { return Sha256Hex({sealed.covered, "}"}); }

std::string FormatChainHead(const ChainHead& head) {
  return std::to_string(head.sequence) + ":" + head.hash;
}

bool ParseChainHead(std::string_view text, ChainHead& out) {
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::uint64_t sequence = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + colon, sequence);
  if (error != std::errc() || end != text.data() + colon || sequence == 0) return false;
  std::string_view hash = text.substr(colon + 1);
  if (hash.size() != 64) return false;
  for (char c : hash) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  out.sequence = sequence;
  out.hash.assign(hash);
  return true;
}

}  // namespace flagledger

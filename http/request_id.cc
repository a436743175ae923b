#include "http/request_id.h"

#include <random>

namespace flagledger {

void ChooseRequestId(std::string_view client_id, std::string& id) {
  bool valid = !client_id.empty() && client_id.size() <= 128;
  for (char c : client_id) valid = valid && c >= 0x21 && c <= 0x7e;
  if (valid) {
    id.assign(client_id);
    return;
  }
  FillRandomHex(id, 32);
}

void FillRandomHex(std::string& id, std::size_t digits) {
  thread_local std::mt19937_64 random(std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  id.resize(digits);
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    if (i % 16 == 0) bits = random();
    id[i] = kHex[bits & 0xF];
    bits >>= 4;
  }
}

}  // namespace flagledger

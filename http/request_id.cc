#include "http/request_id.h"

#include <random>

namespace flagledger {

std::string ChooseRequestId(std::string_view client_id) {
  bool valid = !client_id.empty() && client_id.size() <= 128;
  for (char c : client_id) valid = valid && c >= 0x21 && c <= 0x7e;
  if (valid) return std::string(client_id);
  thread_local std::mt19937_64 random(std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    std::uint64_t bits = random();
    for (int i = 0; i < 16; ++i) id[half * 16 + i] = kHex[(bits >> (i * 4)) & 0xF];
  }
  return id;
}

}  // namespace flagledger

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
  thread_local std::mt19937_64 random(std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  id.resize(32);
  for (int half = 0; half < 2; ++half) {
    std::uint64_t bits = random();
    for (int i = 0; i < 16; ++i) id[half * 16 + i] = kHex[(bits >> (i * 4)) & 0xF];
  }
}

}  // namespace flagledger

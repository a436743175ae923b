#include "events/base64.h"

#include <gtest/gtest.h>

namespace flagledger {
namespace {

TEST(Base64, RoundTripsEveryByteAndRefusesOtherText) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (std::size_t length : {0, 1, 2, 3, 4, 255, 256}) {
    std::string part = bytes.substr(0, length);
    EXPECT_EQ(DecodeBase64(EncodeBase64(part)), part) << length;
  }
  EXPECT_EQ(EncodeBase64("ab"), "YWI=");
  EXPECT_EQ(DecodeBase64("YWI="), "ab");
  EXPECT_EQ(DecodeBase64("YW I="), std::nullopt);
  EXPECT_EQ(DecodeBase64("YWI=x"), std::nullopt);
  EXPECT_EQ(DecodeBase64("YWI==="), std::nullopt);
}

}  // namespace
}  // namespace flagledger

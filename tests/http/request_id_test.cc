#include "http/request_id.h"

#include <gtest/gtest.h>

#include <string>

namespace flagledger {
namespace {

bool IsGenerated(const std::string& id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST(RequestId, KeepsAClientIdOfPrintableAscii) {
  std::string id;
  ChooseRequestId("trace-42/a:b", id);
  EXPECT_EQ(id, "trace-42/a:b");
  ChooseRequestId(std::string(128, 'x'), id);
  EXPECT_EQ(id, std::string(128, 'x'));
}

TEST(RequestId, ReplacesAMissingOrInvalidIdWithARandomOne) {
  std::string id = "left over from the previous request, longer than an id";
  for (std::string_view invalid : {std::string_view(""), std::string_view("has space"),
                                   std::string_view("tab\t"), std::string_view("caf\xc3\xa9")}) {
    ChooseRequestId(invalid, id);
    EXPECT_TRUE(IsGenerated(id)) << id;
  }
  ChooseRequestId(std::string(129, 'x'), id);
  EXPECT_TRUE(IsGenerated(id)) << "over 128 characters";
  std::string other;
  ChooseRequestId("", other);
  EXPECT_NE(id, other);
}

TEST(RequestId, ReusesTheStringsStorage) {
  std::string id;
  ChooseRequestId("", id);
  const char* storage = id.data();
  for (int i = 0; i < 100; ++i) ChooseRequestId(i % 2 ? "" : "client-id", id);
  EXPECT_EQ(id.data(), storage);
}

}  // namespace
}  // namespace flagledger

#include "core/identifier.h"

#include <gtest/gtest.h>

#include <string>

namespace flagledger {
namespace {

TEST(Identifier, AcceptsTheContractsCharacters) {
  EXPECT_TRUE(IsValidIdentifier("org-nansen-akademiet"));
  EXPECT_TRUE(IsValidIdentifier("travel_reimbursement"));
  EXPECT_TRUE(IsValidIdentifier("A.b-c_9"));
  EXPECT_TRUE(IsValidIdentifier("9lives"));
  EXPECT_TRUE(IsValidIdentifier("x"));
}

TEST(Identifier, RejectsBadFirstCharacter) {
  EXPECT_FALSE(IsValidIdentifier("-x"));
  EXPECT_FALSE(IsValidIdentifier(".x"));
  EXPECT_FALSE(IsValidIdentifier("_x"));
}

TEST(Identifier, RejectsOtherCharacters) {
  for (const char* text : {"a b", "a/b", "a%20", "a:b", "ä", "a\nb", "a+b", "a~b"}) {
    EXPECT_FALSE(IsValidIdentifier(text)) << text;
  }
  EXPECT_FALSE(IsValidIdentifier(std::string("a\0b", 3)));
}

TEST(Identifier, AllowsOneTo128Characters) {
  EXPECT_FALSE(IsValidIdentifier(""));
  EXPECT_TRUE(IsValidIdentifier(std::string(128, 'a')));
  EXPECT_FALSE(IsValidIdentifier(std::string(129, 'a')));
}

}  // namespace
}  // namespace flagledger

#include "core/change_reason.h"

#include <gtest/gtest.h>

namespace flagledger {
namespace {

std::string Problem(std::string_view text) {
  Status status = CheckChangeReason(text, "reason");
  if (status.ok()) return "";
  EXPECT_EQ(status.code(), ErrorCode::kValidationFailed);
  EXPECT_EQ(status.field_errors().size(), 1u);
  EXPECT_EQ(status.field_errors()[0].field, "reason");
  return status.field_errors()[0].message;
}

TEST(ChangeReason, AcceptsPrintableUtf8UpToFiveHundredCharacters) {
  EXPECT_EQ(Problem("x"), "");
  EXPECT_EQ(Problem("INC-4711: rollback by \xc3\x85sa \xe2\x80\x94 see runbook \xf0\x9f\x9a\x92"),
            "");
  EXPECT_EQ(Problem(std::string(500, 'x')), "");
  std::string four_byte;
  for (int i = 0; i < 500; ++i) four_byte += "\xf0\x9f\x9a\x92";
  EXPECT_EQ(Problem(four_byte), "") << "characters are counted, not bytes";
  EXPECT_EQ(Problem("\xef\xbf\xbd\xf4\x8f\xbf\xbf"), "") << "U+FFFD and U+10FFFF";
}

TEST(ChangeReason, RefusesWhatIsNotOneToFiveHundredPrintableCharacters) {
  const std::string length = "must be 1 to 500 characters";
  const std::string utf8 = "must be valid UTF-8";
  const std::string control = "must not contain control characters";
  EXPECT_EQ(Problem(""), length);
  EXPECT_EQ(Problem(std::string(501, 'x')), length);
  EXPECT_EQ(Problem("\x80"), utf8);                  // a continuation byte first
  EXPECT_EQ(Problem("\xc3"), utf8);                  // cut short
  EXPECT_EQ(Problem("\xc3\x28"), utf8);              // not a continuation
  EXPECT_EQ(Problem("\xc0\xaf"), utf8);              // overlong '/'
  EXPECT_EQ(Problem("\xe0\x80\xaf"), utf8);          // overlong, three bytes
  EXPECT_EQ(Problem("\xed\xa0\x80"), utf8);          // a surrogate
  EXPECT_EQ(Problem("\xf4\x90\x80\x80"), utf8);      // past U+10FFFF
  EXPECT_EQ(Problem("\xf8\x88\x80\x80\x80"), utf8);  // five bytes
  EXPECT_EQ(Problem("\xff"), utf8);
  EXPECT_EQ(Problem(std::string("nul\0here", 8)), control);
  EXPECT_EQ(Problem("tab\t"), control);
  EXPECT_EQ(Problem("line\nbreak"), control);
  EXPECT_EQ(Problem("del\x7f"), control);
  EXPECT_EQ(Problem("c1 \xc2\x85"), control);
}

}  // namespace
}  // namespace flagledger

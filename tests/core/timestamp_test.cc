#include "core/timestamp.h"

#include <gtest/gtest.h>

namespace flagledger {
namespace {

Timestamp Parse(const char* text) { return ParseRfc3339(text).value().time; }

TEST(Timestamp, ParsesUtc) {
  EXPECT_EQ(Parse("1970-01-01T00:00:00Z").micros(), 0);
  EXPECT_EQ(Parse("2026-01-15T00:00:00Z").micros(), 1'768'435'200'000'000);
}

TEST(Timestamp, AppliesNumericOffsets) {
  EXPECT_EQ(Parse("2026-01-15T01:30:00+01:30"), Parse("2026-01-15T00:00:00Z"));
  EXPECT_EQ(Parse("2026-01-14T19:00:00-05:00"), Parse("2026-01-15T00:00:00Z"));
  EXPECT_EQ(Parse("2026-01-15T00:00:00+00:00"), Parse("2026-01-15T00:00:00Z"));
}

TEST(Timestamp, AcceptsLowercaseSeparators) {
  EXPECT_EQ(Parse("2026-01-15t00:00:00z"), Parse("2026-01-15T00:00:00Z"));
}

TEST(Timestamp, KeepsMicrosecondsAndReportsFractions) {
  auto parsed = ParseRfc3339("2026-03-26T11:05:00.123456789Z").value();
  EXPECT_EQ(parsed.time.micros() % 1'000'000, 123456);
  EXPECT_TRUE(parsed.has_fraction);
  auto zero = ParseRfc3339("2026-03-26T11:05:00.000Z").value();
  EXPECT_FALSE(zero.has_fraction);
  EXPECT_EQ(zero.time.micros() % 1'000'000, 0);
  // A fraction finer than a microsecond is still a fraction.
  EXPECT_TRUE(ParseRfc3339("2026-03-26T11:05:00.0000001Z").value().has_fraction);
}

TEST(Timestamp, RejectsMalformedText) {
  for (const char* text : {"",
                           "2026-01-15",
                           "2026-01-15T00:00:00",
                           "2026-01-15 00:00:00Z",
                           "2026-1-15T00:00:00Z",
                           "2026-01-15T00:00Z",
                           "2026-01-15T00:00:00.Z",
                           "2026-01-15T00:00:00+0100",
                           "2026-01-15T00:00:00+01",
                           "2026-01-15T00:00:00ZZ",
                           "2026-01-15T00:00:00Z ",
                           "+2026-01-15T00:00:00Z",
                           "2026-13-01T00:00:00Z",
                           "2026-02-29T00:00:00Z",
                           "2026-04-31T00:00:00Z",
                           "2026-01-15T24:00:00Z",
                           "2026-01-15T00:60:00Z",
                           "2026-01-15T00:00:61Z",
                           "2026-12-31T23:59:60Z",
                           "2026-01-15T00:00:00+24:00",
                           "0000-01-01T00:00:00Z",
                           "0001-01-01T00:00:00+00:01",
                           "abcd-ef-ghTij:kl:mnZ"}) {
    auto parsed = ParseRfc3339(text);
    EXPECT_FALSE(parsed.ok()) << text;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), ErrorCode::kValidationFailed);
    }
  }
}

TEST(Timestamp, AcceptsLeapDays) {
  EXPECT_TRUE(ParseRfc3339("2024-02-29T00:00:00Z").ok());
  EXPECT_TRUE(ParseRfc3339("2000-02-29T00:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("1900-02-29T00:00:00Z").ok());
}

TEST(Timestamp, RendersSecondsAndMicroseconds) {
  Timestamp time = Parse("2026-03-26T11:05:00.123456Z");
  EXPECT_EQ(time.ToSecondsString(), "2026-03-26T11:05:00Z");
  EXPECT_EQ(time.ToMicrosString(), "2026-03-26T11:05:00.123456Z");
  EXPECT_EQ(Parse("2026-03-26T11:05:00Z").ToMicrosString(), "2026-03-26T11:05:00.000000Z");
}

TEST(Timestamp, RendersTheWholeRange) {
  EXPECT_EQ(Parse("0001-01-01T00:00:00Z").ToSecondsString(), "0001-01-01T00:00:00Z");
  EXPECT_EQ(Parse("9999-12-31T23:59:59.999999Z").ToMicrosString(), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(Parse("1969-12-31T23:59:59.5Z").ToMicrosString(), "1969-12-31T23:59:59.500000Z");
  EXPECT_EQ(Parse("1969-12-31T23:59:59.5Z").ToSecondsString(), "1969-12-31T23:59:59Z");
}

TEST(Timestamp, RoundTripsThroughText) {
  for (std::int64_t micros : {0LL, 1LL, -1LL, 1'768'435'200'123'456LL, -62'135'596'800'000'000LL}) {
    Timestamp time = Timestamp::FromMicros(micros);
    EXPECT_EQ(Parse(time.ToMicrosString().c_str()), time) << micros;
  }
}

TEST(Timestamp, FloorsToTheSecond) {
  EXPECT_EQ(Timestamp::FromMicros(1'500'000).FloorToSecond().micros(), 1'000'000);
  EXPECT_EQ(Timestamp::FromMicros(-500'000).FloorToSecond().micros(), -1'000'000);
}

}  // namespace
}  // namespace flagledger

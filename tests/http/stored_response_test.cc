#include "http/stored_response.h"

#include <gtest/gtest.h>

namespace flagledger {
namespace {

TEST(StoredResponse, RoundTripsEveryMediaType) {
  for (MediaType type : kAllMediaTypes) {
    HttpResponse response;
    response.status = 201;
    response.content_type = type;
    response.body = R"({"flag_key":"beta"})";
    response.headers = {{"ETag", "\"1\""}, {"Location", "/api/v1/organizations/o/feature-flags/beta"}};
    auto decoded = DecodeStoredResponse(EncodeStoredResponse(response));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->status, 201);
    EXPECT_EQ(decoded->content_type, type);
    EXPECT_EQ(decoded->headers, response.headers);
    EXPECT_EQ(decoded->body, response.body);
  }
}

TEST(StoredResponse, RefusesBytesItDidNotWrite) {
  HttpResponse response;
  std::string bytes = EncodeStoredResponse(response);
  EXPECT_FALSE(DecodeStoredResponse(bytes.substr(0, 6)).has_value()) << "cut short";
  std::string unknown_type = bytes;
  unknown_type[8] = 'X';  // the first byte of the content type's name
  EXPECT_FALSE(DecodeStoredResponse(unknown_type).has_value());
  std::string bad_status = bytes;
  bad_status[0] = 7;
  EXPECT_FALSE(DecodeStoredResponse(bad_status).has_value());
}

}  // namespace
}  // namespace flagledger

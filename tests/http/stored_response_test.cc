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
    response.etag = "\"1\"";
    response.event_sequence = 42;
    response.headers = {{"Location", "/api/v1/organizations/o/feature-flags/beta"}};
    auto decoded = DecodeStoredResponse(EncodeStoredResponse(response));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->status, 201);
    EXPECT_EQ(decoded->content_type, type);
    EXPECT_EQ(decoded->etag, response.etag);
    EXPECT_EQ(decoded->event_sequence, response.event_sequence);
    EXPECT_EQ(decoded->headers, response.headers);
    EXPECT_EQ(decoded->body, response.body);
  }
}

TEST(StoredResponse, StoresASharedBodyAsItsBytes) {
  HttpResponse response;
  response.body = "unused when the body is shared";
  response.shared_body = std::make_shared<const std::string>(R"({"flag_key":"beta"})");
  auto decoded = DecodeStoredResponse(EncodeStoredResponse(response));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->body_bytes(), R"({"flag_key":"beta"})");
}

// Responses stored before the ETag had a field of its own kept it among the headers; they
// decode to the same answer.
TEST(StoredResponse, ReadsAnEtagStoredAmongTheHeaders) {
  HttpResponse old_form;
  old_form.headers = {{"ETag", "\"3\""}, {"Location", "/x"}};
  auto decoded = DecodeStoredResponse(EncodeStoredResponse(old_form));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->etag, "\"3\"");
  EXPECT_EQ(decoded->headers,
            (std::vector<std::pair<std::string, std::string>>{{"Location", "/x"}}));
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

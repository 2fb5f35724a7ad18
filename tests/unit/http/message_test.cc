#include "http/message.h"

#include <gtest/gtest.h>

#include <string>

#include "http/content_coding.h"
#include "http/test_client.h"

namespace modelhost::http {
namespace {

TEST(HttpStatusTest, EachStatusCodeMapsToItsHttpStatus) {
  EXPECT_EQ(http_status_for(StatusCode::kOk), 200);
  EXPECT_EQ(http_status_for(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(http_status_for(StatusCode::kFailedPrecondition), 400);
  EXPECT_EQ(http_status_for(StatusCode::kNotFound), 404);
  EXPECT_EQ(http_status_for(StatusCode::kUnavailable), 503);
  EXPECT_EQ(http_status_for(StatusCode::kResourceExhausted), 503);
  EXPECT_EQ(http_status_for(StatusCode::kDeadlineExceeded), 504);
  EXPECT_EQ(http_status_for(StatusCode::kUnimplemented), 501);
  EXPECT_EQ(http_status_for(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(http_status_for(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(http_status_for(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(http_status_for(StatusCode::kInternal), 500);
}

TEST(JsonEscapeTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(json_escape("plain"), "plain");
  EXPECT_EQ(json_escape("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(json_escape("l1\nl2\t\r"), "l1\\nl2\\t\\r");
  EXPECT_EQ(json_escape(std::string("x\0y\x1f", 4)), "x\\u0000y\\u001f");
}

TEST(JsonEscapeTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(json_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(json_escape("a\xff"
                        "b"),
            "a\\ufffdb");
  EXPECT_EQ(json_escape("\xc0\xaf"), "\\ufffd\\ufffd");             // overlong '/'
  EXPECT_EQ(json_escape("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd");  // surrogate
  EXPECT_EQ(json_escape("\xe2\x82"), "\\ufffd\\ufffd");             // truncated
}

TEST(MakeErrorTest, BuildsAJsonErrorWithTheRequestsVersion) {
  Request req{beast_http::verb::get, "/", 10};
  Response res = make_error(400, "bad \"thing\"", req);
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_EQ(res.version(), 10u);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(res.body(), "{\"error\":\"bad \\\"thing\\\"\"}");
  EXPECT_EQ(res[beast_http::field::content_type], "application/json");
  EXPECT_EQ(res[beast_http::field::content_length], std::to_string(res.body().size()));
}

TEST(MakeJsonResponseTest, SetsHeaders) {
  Response res = make_json_response(201, "{}", 11, true);
  EXPECT_EQ(res.result_int(), 201u);
  EXPECT_TRUE(res.keep_alive());
  EXPECT_EQ(res[beast_http::field::content_length], "2");
}

TEST(ContentCodingTest, ParsesHeaderValues) {
  EXPECT_EQ(parse_content_coding("gzip"), ContentCoding::kGzip);
  EXPECT_EQ(parse_content_coding(" GZIP "), ContentCoding::kGzip);
  EXPECT_EQ(parse_content_coding("x-gzip"), ContentCoding::kGzip);
  EXPECT_EQ(parse_content_coding("deflate"), ContentCoding::kDeflate);
  EXPECT_EQ(parse_content_coding("identity"), ContentCoding::kIdentity);
  EXPECT_EQ(parse_content_coding("identity, gzip"), ContentCoding::kGzip);
  EXPECT_EQ(parse_content_coding("gzip, deflate"), ContentCoding::kUnsupported);
  EXPECT_EQ(parse_content_coding("br"), ContentCoding::kUnsupported);
}

TEST(ContentCodingTest, DecodesUpToTheLimitExactly) {
  const std::string text(10000, 'r');
  const std::string gz = testing::compress(text, 31);
  std::string out;
  EXPECT_EQ(decode_body(ContentCoding::kGzip, gz, text.size(), out), DecodeError::kNone);
  EXPECT_EQ(out, text);
  EXPECT_EQ(decode_body(ContentCoding::kGzip, gz, text.size() - 1, out), DecodeError::kTooLarge);
}

TEST(ContentCodingTest, DecodesConcatenatedGzipMembers) {
  const std::string gz = testing::compress("one,", 31) + testing::compress("two", 31);
  std::string out;
  EXPECT_EQ(decode_body(ContentCoding::kGzip, gz, 1000, out), DecodeError::kNone);
  EXPECT_EQ(out, "one,two");
}

TEST(ContentCodingTest, RejectsGarbageAndTrailingBytes) {
  std::string out;
  EXPECT_EQ(decode_body(ContentCoding::kGzip, "not gzip at all", 1000, out), DecodeError::kCorrupt);
  EXPECT_EQ(decode_body(ContentCoding::kDeflate, "not deflate either", 1000, out),
            DecodeError::kCorrupt);
  EXPECT_EQ(decode_body(ContentCoding::kDeflate, testing::compress("x", 15) + "junk", 1000, out),
            DecodeError::kCorrupt);
}

}  // namespace
}  // namespace modelhost::http

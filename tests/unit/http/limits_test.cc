// Limits, timeouts, malformed input and request body codings, end to end over a real socket.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "http/server.h"
#include "http/server_fixture.h"
#include "http/test_client.h"

namespace modelhost::http {
namespace {

using namespace std::chrono_literals;
using testing::echo_handler;
using testing::make_request;
using testing::TestClient;

constexpr uint64_t kMaxBody = 1 << 20;

class LimitsTest : public testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.max_body_bytes = kMaxBody;
    config.max_header_bytes = 4096;
    config.header_timeout = 200ms;
    config.body_timeout = 200ms;
    start(config, echo_handler());
  }
};

TEST_F(LimitsTest, ExpectContinueGets100ThenTheReply) {
  TestClient client(port());
  ASSERT_TRUE(client.send(
      "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  auto cont = client.read_response();
  ASSERT_TRUE(cont);
  EXPECT_EQ(cont->result_int(), 100u);
  ASSERT_TRUE(client.send("hello"));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_EQ(res->body(), "POST /up|hello");
}

TEST_F(LimitsTest, ExpectContinueOverTheLimitGets413Without100) {
  TestClient client(port());
  ASSERT_TRUE(client.send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                          std::to_string(kMaxBody + 1) + "\r\nExpect: 100-continue\r\n\r\n"));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 413u);
  EXPECT_EQ(res->body(), "{\"error\":\"request body of " + std::to_string(kMaxBody + 1) +
                             " bytes exceeds the limit of " + std::to_string(kMaxBody) +
                             " bytes\"}");
  EXPECT_FALSE(res->keep_alive());
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(LimitsTest, BodyAtTheLimitIsAccepted) {
  TestClient client(port());
  const std::string body(kMaxBody, 'a');
  ASSERT_TRUE(client.send(make_request("POST", "/x", body)));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_EQ(res->body().size(), body.size() + 8);
}

TEST_F(LimitsTest, ContentLengthOverTheLimitGets413AndClose) {
  TestClient client(port());
  // The client starts sending the body anyway; the server answers without reading it all.
  client.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(kMaxBody + 1) +
              "\r\n\r\n" + std::string(64 * 1024, 'a'));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 413u);
  EXPECT_FALSE(res->keep_alive());
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(LimitsTest, ChunkedBodyOverTheLimitGets413AndClose) {
  TestClient client(port());
  std::string req = "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string chunk(256 * 1024, 'b');
  for (int i = 0; i < 5; ++i) req += "40000\r\n" + chunk + "\r\n";
  req += "0\r\n\r\n";
  client.send(req);
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 413u);
  EXPECT_EQ(res->body(), "{\"error\":\"request body exceeds the limit of " +
                             std::to_string(kMaxBody) + " bytes\"}");
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(LimitsTest, ChunkedBodyUnderTheLimitIsServed) {
  TestClient client(port());
  ASSERT_TRUE(client.send(
      "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_EQ(res->body(), "POST /x|abcde");
}

TEST_F(LimitsTest, TooManyChunksGets413) {
  TestClient client(port());
  std::string req = "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 65537; ++i) req += "1\r\nz\r\n";
  req += "0\r\n\r\n";
  client.send(req);
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 413u);
}

TEST_F(LimitsTest, HeaderOverTheLimitGets431) {
  TestClient client(port());
  client.send(make_request("GET", "/x", "", "X-Big: " + std::string(8000, 'h') + "\r\n"));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 431u);
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(LimitsTest, ManySmallHeadersOverTheLimitGet431) {
  std::string fields;
  for (int i = 0; i < 10; ++i) fields += "X-Field-" + std::to_string(i) + ": " + std::string(500, 'v') + "\r\n";
  TestClient client(port());
  client.send(make_request("GET", "/x", "", fields));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 431u);
}

TEST_F(LimitsTest, SlowHeaderGets408) {
  TestClient client(port());
  const auto t0 = std::chrono::steady_clock::now();
  // Trickle the header so that each read is quick but the whole header takes too long.
  ASSERT_TRUE(client.send("GET /x HTTP/1.1\r\n"));
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(50ms);
    if (!client.send("X-A: b\r\n")) break;
  }
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 408u);
  EXPECT_EQ(res->body(), "{\"error\":\"request header not received within 200 ms\"}");
  EXPECT_TRUE(client.wait_closed());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
}

TEST_F(LimitsTest, SlowBodyGets408) {
  TestClient client(port());
  ASSERT_TRUE(client.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 408u);
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(LimitsTest, SilentNewConnectionIsClosedAfterTheHeaderTimeout) {
  TestClient client(port());
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(client.read_response());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
}

TEST_F(LimitsTest, MalformedRequestGets400) {
  TestClient client(port());
  ASSERT_TRUE(client.send("GARBAGE\r\n\r\n"));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 400u);
  EXPECT_EQ((*res)[beast_http::field::content_type], "application/json");
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(LimitsTest, MalformedChunkingGets400) {
  TestClient client(port());
  ASSERT_TRUE(client.send(
      "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n"));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 400u);
}

TEST_F(LimitsTest, GzipBodyIsDecodedBeforeTheHandler) {
  TestClient client(port());
  const std::string text = std::string(5000, 'q') + "end";
  ASSERT_TRUE(client.send(
      make_request("POST", "/z", testing::compress(text, 31), "Content-Encoding: gzip\r\n")));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_EQ(res->body(), "POST /z|" + text);
  EXPECT_EQ(res->find("X-Had-Encoding"), res->end());
}

TEST_F(LimitsTest, DeflateBodyIsDecodedWithOrWithoutTheZlibWrapper) {
  TestClient client(port());
  for (int bits : {15, -15}) {
    ASSERT_TRUE(client.send(make_request("POST", "/d", testing::compress("deflated", bits),
                                         "Content-Encoding: deflate\r\n")));
    auto res = client.read_response();
    ASSERT_TRUE(res) << bits;
    EXPECT_EQ(res->body(), "POST /d|deflated") << bits;
  }
}

TEST_F(LimitsTest, GzipBombGets413) {
  // Compressed before connecting: a fresh connection that sends nothing for the header timeout
  // (200 ms here) is closed, and compressing 4 MiB can take that long on a loaded machine.
  const std::string bomb = testing::compress(std::string(4 * kMaxBody, '\0'), 31);
  ASSERT_LT(bomb.size(), kMaxBody / 64);
  TestClient client(port());
  ASSERT_TRUE(client.send(make_request("POST", "/z", bomb, "Content-Encoding: gzip\r\n")));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 413u);
  // The whole body was read, so the connection may stay open.
  ASSERT_TRUE(client.send(make_request("GET", "/next")));
  auto next = client.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->result_int(), 200u);
}

TEST_F(LimitsTest, CorruptGzipGets400) {
  TestClient client(port());
  std::string gz = testing::compress("some text here", 31);
  gz.resize(gz.size() - 6);
  ASSERT_TRUE(client.send(make_request("POST", "/z", gz, "Content-Encoding: gzip\r\n")));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 400u);
}

TEST_F(LimitsTest, UnknownContentEncodingGets415) {
  TestClient client(port());
  ASSERT_TRUE(client.send(make_request("POST", "/z", "abc", "Content-Encoding: br\r\n")));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 415u);
}

}  // namespace
}  // namespace modelhost::http

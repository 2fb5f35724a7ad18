// Request bodies streamed to a file (ServerConfig::spool_limit), end to end over a real socket.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "http/router.h"
#include "http/server.h"
#include "http/server_fixture.h"
#include "http/test_client.h"

namespace modelhost::http {
namespace {

using testing::make_request;
using testing::TestClient;

class SpoolTest : public testing::ServerFixture {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("mh-spool-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    ServerConfig config;
    config.max_body_bytes = 16;  // in memory: tiny
    config.spool_dir = dir_.string();
    config.spool_limit = [](const Request& req) -> uint64_t {
      return target_path(req.target()) == "/upload" ? 1 << 20 : 0;
    };
    // Answers with what it got: the spooled file's content and size, then deletes the file.
    start(config, [](Request&& req, Responder responder) {
      Response res{beast_http::status::ok, req.version()};
      if (req.count(kSpooledBodyField) == 0) {
        res.body() = "memory:" + req.body();
      } else {
        std::ifstream in(req.body(), std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        res.body() = "file:" + std::string(req[kSpooledBodyField]) + ":" + text.str();
        std::filesystem::remove(req.body());
      }
      responder.send(std::move(res));
    });
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  size_t files_left() const {
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir_),
                                             std::filesystem::directory_iterator{}));
  }
  std::filesystem::path dir_;
};

TEST_F(SpoolTest, ABodyThePredicatePicksGoesToAFileBeyondTheMemoryLimit) {
  TestClient client(port());
  const std::string body(100000, 'x');
  ASSERT_TRUE(client.send(make_request("POST", "/upload?name=a", body)));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_EQ(res->body(), "file:100000:" + body);
  EXPECT_EQ(files_left(), 0u);
  // Other routes keep the in-memory limit.
  ASSERT_TRUE(client.send(make_request("POST", "/other", "short")));
  res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "memory:short");
}

TEST_F(SpoolTest, AClientCannotForgeTheSpooledField) {
  TestClient client(port());
  client.send(
      "POST /other HTTP/1.1\r\nHost: x\r\nModelhost-Spooled-Body: 5\r\n"
      "Content-Length: 11\r\n\r\n/etc/passwd");
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "memory:/etc/passwd");
}

TEST_F(SpoolTest, OverTheSpoolLimitIs413AndLeavesNoFile) {
  TestClient client(port());
  client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  const std::string chunk(64 * 1024, 'y');
  std::ostringstream hex;
  hex << std::hex << chunk.size();
  for (int i = 0; i < 20; ++i) client.send(hex.str() + "\r\n" + chunk + "\r\n");
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 413u);
  EXPECT_NE(res->body().find("exceeds the limit of 1048576 bytes"), std::string::npos);
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(files_left(), 0u);
}

TEST_F(SpoolTest, ACompressedUploadIsRefused) {
  TestClient client(port());
  client.send(
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
      "Content-Length: 4\r\n\r\nabcd");
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 415u);
  EXPECT_EQ(files_left(), 0u);
}

TEST_F(SpoolTest, AClientThatGoesAwayMidBodyLeavesNoFile) {
  {
    TestClient client(port());
    client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" +
                std::string(500, 'z'));
    // Wait until the server has created the file, then hang up.
    for (int i = 0; i < 200 && files_left() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  for (int i = 0; i < 200 && files_left() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(files_left(), 0u);
}

}  // namespace
}  // namespace modelhost::http

// Starts a Server on an ephemeral port for one test and stops it at the end.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "http/server.h"

namespace modelhost::http::testing {

// Answers 200 "METHOD target|body" (without setting Content-Length, which the server must add) and
// X-Had-Encoding: 1 if a Content-Encoding header reached the handler.
inline Handler echo_handler() {
  return [](Request&& req, Responder responder) {
    Response res{beast_http::status::ok, req.version()};
    res.set(beast_http::field::content_type, "text/plain");
    if (req.find(beast_http::field::content_encoding) != req.end()) res.set("X-Had-Encoding", "1");
    res.body() = std::string(req.method_string()) + " " + std::string(req.target()) + "|" +
                 req.body();
    responder.send(std::move(res));
  };
}

class ServerFixture : public ::testing::Test {
 protected:
  void start(ServerConfig config, Handler handler) {
    config.port = 0;
    auto created = Server::create(config, std::move(handler));
    ASSERT_TRUE(created.ok()) << created.status().to_string();
    server_ = std::move(created).value();
    server_->start();
  }
  void start(Handler handler) { start(ServerConfig{}, std::move(handler)); }
  uint16_t port() const { return server_->port(); }

  std::unique_ptr<Server> server_;
};

}  // namespace modelhost::http::testing

#include "http/router.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "http/server_fixture.h"
#include "http/test_client.h"

namespace modelhost::http {
namespace {

using beast_http::verb;

Request make(verb v, std::string target) {
  Request req{v, target, 11};
  req.keep_alive(true);
  return req;
}

// Runs one request through the router and returns the response it produced.
Response route(const Router& router, verb v, std::string target) {
  std::optional<Response> out;
  router.handle(make(v, std::move(target)),
                Responder::from_callback([&](Response&& res) { out = std::move(res); }));
  EXPECT_TRUE(out.has_value());
  return out ? std::move(*out) : Response{};
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto echo_params = [](Request&& req, const PathParams& params, Responder responder) {
      std::string body = std::string(req.target());
      body += "|model=" + std::string(params.get("model"));
      body += "|version=" + std::string(params.get("version"));
      responder.send(make_json_response(200, body, req.version(), true));
    };
    router_.add(verb::get, "/v2/health/ready", echo_params);
    router_.add(verb::get, "/v2/models/{model}", echo_params);
    router_.add(verb::post, "/v2/models/{model}/infer", echo_params);
    router_.add(verb::post, "/v2/models/{model}/versions/{version}/infer", echo_params);
  }
  Router router_;
};

TEST_F(RouterTest, LiteralRoute) {
  auto res = route(router_, verb::get, "/v2/health/ready");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "/v2/health/ready|model=|version=");
}

TEST_F(RouterTest, BindsParams) {
  auto res = route(router_, verb::post, "/v2/models/resnet/versions/3/infer");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "/v2/models/resnet/versions/3/infer|model=resnet|version=3");
}

TEST_F(RouterTest, IgnoresTheQueryString) {
  auto res = route(router_, verb::get, "/v2/models/m1?x=1&y=2");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "/v2/models/m1?x=1&y=2|model=m1|version=");
}

TEST_F(RouterTest, UnknownPathIs404) {
  auto res = route(router_, verb::get, "/v2/nothing?q=1");
  EXPECT_EQ(res.result_int(), 404u);
  EXPECT_EQ(res.body(), "{\"error\":\"not found: /v2/nothing\"}");
  EXPECT_EQ(res[beast_http::field::content_type], "application/json");
  EXPECT_EQ(route(router_, verb::get, "/v2/models/").result_int(), 404u);   // empty param
  EXPECT_EQ(route(router_, verb::get, "/v2/health/ready/").result_int(), 404u);
  EXPECT_EQ(route(router_, verb::get, "*").result_int(), 404u);
  EXPECT_EQ(route(router_, verb::get, "/" + std::string(100, 'a') + std::string(40, '/'))
                .result_int(),
            404u);
}

TEST_F(RouterTest, KnownPathWithAnotherVerbIs405) {
  auto res = route(router_, verb::delete_, "/v2/models/m1/infer");
  EXPECT_EQ(res.result_int(), 405u);
  EXPECT_EQ(res.body(), "{\"error\":\"Method Not Allowed\"}");
  EXPECT_EQ(res[beast_http::field::allow], "POST");
}

TEST_F(RouterTest, PercentDecodesParams) {
  auto res = route(router_, verb::get, "/v2/models/my%20model%2Dx");
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "/v2/models/my%20model%2Dx|model=my model-x|version=");
}

TEST_F(RouterTest, RejectsParamsThatDecodeToSlashNulOrDotSegments) {
  for (const char* target :
       {"/v2/models/a%2Fb", "/v2/models/a%00b", "/v2/models/%2e%2e", "/v2/models/..",
        "/v2/models/.", "/v2/models/bad%zz", "/v2/models/bad%2"}) {
    auto res = route(router_, verb::get, target);
    EXPECT_EQ(res.result_int(), 400u) << target;
    EXPECT_EQ(res.body(), "{\"error\":\"invalid path parameter \\\"model\\\"\"}") << target;
  }
  // `..` never walks up a level: it is just a segment that matches nothing here.
  EXPECT_EQ(route(router_, verb::get, "/v2/models/../health/ready").result_int(), 404u);
  // A name that merely starts with dots is fine.
  EXPECT_EQ(route(router_, verb::get, "/v2/models/..my_model").result_int(), 200u);
}

TEST_F(RouterTest, BadPatternsThrow) {
  Router r;
  auto h = [](Request&&, const PathParams&, Responder) {};
  EXPECT_THROW(r.add(verb::get, "no/slash", h), std::invalid_argument);
  EXPECT_THROW(r.add(verb::get, "/a/{}", h), std::invalid_argument);
  EXPECT_THROW(r.add(verb::get, "/a/x{y}", h), std::invalid_argument);
}

TEST(QueryParamTest, FindsAndDecodesValues) {
  EXPECT_EQ(query_param("/p?a=1&b=x%20y+z&c", "b"), "x y z");
  EXPECT_EQ(query_param("/p?a=1&b=2", "a"), "1");
  EXPECT_EQ(query_param("/p?a=1&c", "c"), "");
  EXPECT_EQ(query_param("/p?a=1", "z"), std::nullopt);
  EXPECT_EQ(query_param("/p", "a"), std::nullopt);
  EXPECT_EQ(query_param("/p?a=%zz", "a"), std::nullopt);
  EXPECT_EQ(target_path("/p/q?a=1"), "/p/q");
  EXPECT_EQ(percent_decode("%41%62c"), "Abc");
}

TEST(RouterServerTest, RoutesOverTheWire) {
  Router router;
  router.add(verb::get, "/v2/models/{model}",
             [](Request&& req, const PathParams& params, Responder responder) {
               responder.send(make_json_response(
                   200, "{\"name\":\"" + json_escape(params.get("model")) + "\"}", req.version(),
                   req.keep_alive()));
             });
  ServerConfig config;
  config.port = 0;
  auto server = Server::create(config, router.as_handler());
  ASSERT_TRUE(server.ok());
  (*server)->start();
  testing::TestClient client((*server)->port());
  ASSERT_TRUE(client.send(testing::make_request("GET", "/v2/models/a%22b")));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "{\"name\":\"a\\\"b\"}");
  ASSERT_TRUE(client.send(testing::make_request("POST", "/v2/models/a")));
  res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 405u);
}

}  // namespace
}  // namespace modelhost::http

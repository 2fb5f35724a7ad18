#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "http/server_fixture.h"
#include "http/test_client.h"

namespace modelhost::http {
namespace {

using namespace std::chrono_literals;
using testing::ClientResponse;
using testing::echo_handler;
using testing::make_request;
using testing::TestClient;

// Waits up to `limit` for `cond`; returns its final value.
template <typename Cond>
bool eventually(Cond cond, std::chrono::milliseconds limit = 2000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Holds responders handed over by a handler and completes them on its own thread.
class ComputeThread {
 public:
  ComputeThread() : thread_([this] { run(); }) {}
  ~ComputeThread() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void submit(Request req, Responder responder) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.emplace_back(std::move(req), std::move(responder));
    }
    cv_.notify_all();
  }
  std::thread::id id() const { return thread_.get_id(); }

 private:
  void run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return done_ || !queue_.empty(); });
      if (queue_.empty()) return;
      auto [req, responder] = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      responder.send(make_json_response(200, "{\"body\":\"" + req.body() + "\"}", req.version(),
                                        req.keep_alive()));
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<Request, Responder>> queue_;
  bool done_ = false;
  std::thread thread_;
};

class ServerTest : public testing::ServerFixture {};

TEST_F(ServerTest, KeepAliveServes100RequestsOnOneConnection) {
  start(echo_handler());
  TestClient client(port());
  for (int i = 0; i < 100; ++i) {
    const std::string body = "req" + std::to_string(i);
    ASSERT_TRUE(client.send(make_request("POST", "/echo", body)));
    auto res = client.read_response();
    ASSERT_TRUE(res) << "request " << i;
    EXPECT_EQ(res->result_int(), 200u);
    EXPECT_EQ(res->body(), "POST /echo|" + body);
    EXPECT_EQ((*res)[beast_http::field::content_length], std::to_string(res->body().size()));
    EXPECT_TRUE(res->keep_alive());
  }
  EXPECT_EQ(server_->open_connections(), 1u);
  // The count drops when the write completes, which may be just after the client has the bytes.
  EXPECT_TRUE(eventually([&] { return server_->active_requests() == 0; }));
}

TEST_F(ServerTest, FiftyConcurrentConnections) {
  ServerConfig config;
  config.io_threads = 2;
  start(config, echo_handler());
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 50; ++i) clients.push_back(std::make_unique<TestClient>(port()));
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(clients[i]->send(make_request("POST", "/c", std::to_string(i))));
  }
  for (int i = 0; i < 50; ++i) {
    auto res = clients[i]->read_response();
    ASSERT_TRUE(res) << "client " << i;
    EXPECT_EQ(res->body(), "POST /c|" + std::to_string(i));
  }
  EXPECT_EQ(server_->open_connections(), 50u);
  clients.clear();
  EXPECT_TRUE(eventually([&] { return server_->open_connections() == 0; }));
}

TEST_F(ServerTest, ResponderSendsFromAnotherThread) {
  ComputeThread compute;
  std::atomic<bool> on_io_thread{false};
  start([&](Request&& req, Responder responder) {
    on_io_thread = std::this_thread::get_id() != compute.id();
    compute.submit(std::move(req), std::move(responder));
  });
  TestClient client(port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.send(make_request("POST", "/infer", "x" + std::to_string(i))));
    auto res = client.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 200u);
    EXPECT_EQ(res->body(), "{\"body\":\"x" + std::to_string(i) + "\"}");
    EXPECT_EQ((*res)[beast_http::field::content_type], "application/json");
  }
  EXPECT_TRUE(on_io_thread);
}

TEST_F(ServerTest, ActiveRequestsCountsUntilTheResponseIsWritten) {
  std::mutex mu;
  Responder held;
  start([&](Request&&, Responder responder) {
    std::lock_guard<std::mutex> lock(mu);
    held = std::move(responder);
  });
  TestClient client(port());
  ASSERT_TRUE(client.send(make_request("GET", "/slow")));
  ASSERT_TRUE(eventually([&] { return server_->active_requests() == 1; }));
  {
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_TRUE(held.valid());
    held.send(make_json_response(200, "{}", 11, true));
    EXPECT_FALSE(held.valid());
  }
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_TRUE(eventually([&] { return server_->active_requests() == 0; }));
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start(echo_handler());
  TestClient client(port());
  ASSERT_TRUE(client.send(make_request("POST", "/a", "1") + make_request("POST", "/b", "2") +
                          make_request("GET", "/c")));
  auto a = client.read_response();
  auto b = client.read_response();
  auto c = client.read_response();
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->body(), "POST /a|1");
  EXPECT_EQ(b->body(), "POST /b|2");
  EXPECT_EQ(c->body(), "GET /c|");
}

TEST_F(ServerTest, Http10KeepAliveOnlyWhenAsked) {
  start(echo_handler());
  TestClient client(port());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client.send("GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto res = client.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->version(), 10u);
    EXPECT_TRUE(res->keep_alive());
  }
  ASSERT_TRUE(client.send("GET /x HTTP/1.0\r\n\r\n"));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_FALSE(res->keep_alive());
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  start(echo_handler());
  TestClient client(port());
  ASSERT_TRUE(client.send(make_request("GET", "/x", "", "Connection: close\r\n")));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_FALSE(res->keep_alive());
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, DroppedResponderAnswers500) {
  start([](Request&&, Responder) {});
  TestClient client(port());
  ASSERT_TRUE(client.send(make_request("GET", "/x")));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 500u);
  EXPECT_EQ(res->body(), "{\"error\":\"internal error\"}");
  // The connection stays usable.
  ASSERT_TRUE(client.send(make_request("GET", "/y")));
  EXPECT_TRUE(client.read_response());
}

TEST_F(ServerTest, HandlerExceptionAnswers500) {
  start([](Request&&, Responder) { throw std::runtime_error("boom"); });
  TestClient client(port());
  ASSERT_TRUE(client.send(make_request("GET", "/x")));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 500u);
  EXPECT_EQ(res->body(), "{\"error\":\"internal error\"}");
  EXPECT_EQ(res->body().find("boom"), std::string::npos);
}

TEST_F(ServerTest, SendAfterClientLeftIsHarmless) {
  std::mutex mu;
  Responder held;
  start([&](Request&&, Responder responder) {
    std::lock_guard<std::mutex> lock(mu);
    held = std::move(responder);
  });
  {
    TestClient client(port());
    ASSERT_TRUE(client.send(make_request("GET", "/x")));
    ASSERT_TRUE(eventually([&] { return server_->active_requests() == 1; }));
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    held.send(make_json_response(200, std::string(1 << 20, 'x'), 11, true));
  }
  EXPECT_TRUE(eventually([&] { return server_->open_connections() == 0; }));
  EXPECT_EQ(server_->active_requests(), 0u);
}

TEST_F(ServerTest, StopWithOpenConnectionsReturnsPromptly) {
  std::mutex mu;
  Responder held;
  ServerConfig config;
  config.io_threads = 2;
  start(config, [&](Request&&, Responder responder) {
    std::lock_guard<std::mutex> lock(mu);
    held = std::move(responder);
  });
  std::vector<std::unique_ptr<TestClient>> idle;
  for (int i = 0; i < 5; ++i) idle.push_back(std::make_unique<TestClient>(port()));
  TestClient busy(port());
  ASSERT_TRUE(busy.send(make_request("GET", "/x")));
  ASSERT_TRUE(eventually([&] { return server_->active_requests() == 1; }));
  ASSERT_TRUE(eventually([&] { return server_->open_connections() == 6; }));

  const auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_EQ(server_->open_connections(), 0u);
  EXPECT_EQ(server_->active_requests(), 0u);
  EXPECT_TRUE(busy.wait_closed());
  server_->stop();  // idempotent

  std::lock_guard<std::mutex> lock(mu);
  held.send(make_json_response(200, "{}", 11, true));  // no-op
  server_.reset();
}

TEST_F(ServerTest, ResponderMayOutliveTheServer) {
  std::mutex mu;
  Responder held;
  start([&](Request&&, Responder responder) {
    std::lock_guard<std::mutex> lock(mu);
    held = std::move(responder);
  });
  TestClient client(port());
  ASSERT_TRUE(client.send(make_request("GET", "/x")));
  ASSERT_TRUE(eventually([&] { return server_->active_requests() == 1; }));
  server_.reset();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_TRUE(held.valid());
  held = Responder();  // the dropped request's 500 goes nowhere; no crash, no leak
}

TEST_F(ServerTest, StopAcceptingKeepsServingOpenConnections) {
  start(echo_handler());
  TestClient client(port());
  ASSERT_TRUE(client.send(make_request("GET", "/a")));
  ASSERT_TRUE(client.read_response());
  server_->stop_accepting();
  // The listener is gone: a new connection is refused.
  std::this_thread::sleep_for(20ms);
  EXPECT_THROW(TestClient late(port()), std::runtime_error);
  // The open connection gets its answer, and is told to close.
  ASSERT_TRUE(client.send(make_request("GET", "/b")));
  auto res = client.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), "GET /b|");
  EXPECT_FALSE(res->keep_alive());
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(ServerTest, ConnectionsOverTheCapAreClosed) {
  ServerConfig config;
  config.max_connections = 2;
  start(config, echo_handler());
  TestClient a(port()), b(port());
  ASSERT_TRUE(eventually([&] { return server_->open_connections() == 2; }));
  TestClient c(port());
  EXPECT_TRUE(c.wait_closed());
  ASSERT_TRUE(a.send(make_request("GET", "/a")));
  EXPECT_TRUE(a.read_response());
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosedSilently) {
  ServerConfig config;
  config.idle_timeout = 150ms;
  start(config, echo_handler());
  TestClient client(port());
  ASSERT_TRUE(client.send(make_request("GET", "/a")));
  ASSERT_TRUE(client.read_response());
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(client.read_response());  // closed, with no bytes
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
}

TEST_F(ServerTest, CreateNamesTheAddressWhenThePortIsTaken) {
  start(echo_handler());
  ServerConfig config;
  config.port = port();
  auto second = Server::create(config, echo_handler());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("127.0.0.1:" + std::to_string(port())),
            std::string::npos)
      << second.status().message();
}

TEST(ResponderTest, FromCallbackReceivesTheResponseOnce) {
  int calls = 0;
  unsigned status = 0;
  {
    auto responder = Responder::from_callback([&](Response&& res) {
      ++calls;
      status = res.result_int();
      EXPECT_TRUE(res.has_content_length());
    });
    Response res{beast_http::status::created, 11};
    res.body() = "x";
    responder.send(std::move(res));
    EXPECT_FALSE(responder.valid());
    responder.send(Response{});  // ignored
  }
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(status, 201u);
}

TEST(ResponderTest, DroppedCallbackResponderGets500) {
  unsigned status = 0;
  { auto responder = Responder::from_callback([&](Response&& res) { status = res.result_int(); }); }
  EXPECT_EQ(status, 500u);
  Responder empty;
  EXPECT_FALSE(empty.valid());
  empty.send(Response{});  // no-op
}

}  // namespace
}  // namespace modelhost::http

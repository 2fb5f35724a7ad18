// See async_upstream.h.
#include "http/async_upstream.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>

namespace modelhost::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct AsyncUpstreamPool::Conn {
  explicit Conn(asio::any_io_executor ex) : stream(std::move(ex)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
};

// One request's way to the upstream and back.
struct AsyncUpstreamPool::Exchange : std::enable_shared_from_this<Exchange> {
  std::shared_ptr<AsyncUpstreamPool> pool;
  asio::any_io_executor executor;
  uint16_t port = 0;
  std::shared_ptr<Request> req;
  std::chrono::milliseconds timeout{0};
  Callback done;
  std::unique_ptr<Conn> conn;
  bool reused = false;
  bool retried = false;
  std::optional<beast_http::response_parser<beast_http::string_body>> parser;

  void start() {
    conn = retried ? nullptr : pool->take(port);
    reused = conn != nullptr;
    if (reused) {
      write();
      return;
    }
    conn = std::make_unique<Conn>(executor);
    conn->stream.expires_after(timeout);
    conn->stream.async_connect(
        tcp::endpoint(asio::ip::address_v4::loopback(), port),
        [self = shared_from_this()](beast::error_code ec) {
          if (ec) {
            return self->finish(unavailable("cannot connect to port " + std::to_string(self->port) +
                                            ": " + ec.message()));
          }
          beast::error_code ignored;
          self->conn->stream.socket().set_option(tcp::no_delay(true), ignored);
          self->write();
        });
  }

  void write() {
    conn->stream.expires_after(timeout);
    beast_http::async_write(conn->stream, *req,
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->failed(ec, "sending the request failed", true);
                              self->read();
                            });
  }

  void read() {
    parser.emplace();
    parser->body_limit(256ull << 20);
    beast_http::async_read(conn->stream, conn->buffer, *parser,
                           [self = shared_from_this()](beast::error_code ec, size_t) {
                             if (ec) {
                               return self->failed(ec, "reading the answer failed",
                                                   !self->parser->got_some());
                             }
                             Response res = self->parser->release();
                             if (res.keep_alive()) {
                               self->conn->stream.expires_never();
                               self->pool->give_back(self->port, std::move(self->conn));
                             }
                             self->finish(std::move(res));
                           });
  }

  void failed(beast::error_code ec, const char* what, bool nothing_answered) {
    if (ec == beast::error::timeout) {
      return finish(Status(StatusCode::kDeadlineExceeded,
                           "no answer within " + std::to_string(timeout.count()) + " ms"));
    }
    if (reused && nothing_answered && !retried) {  // closed while idle: once more, afresh
      retried = true;
      return start();
    }
    finish(unavailable(std::string(what) + ": " + ec.message()));
  }

  void finish(Result<Response> result) {
    conn.reset();
    Callback cb = std::move(done);
    cb(std::move(result));
  }
};

AsyncUpstreamPool::AsyncUpstreamPool(size_t max_idle) : max_idle_(max_idle) {}
AsyncUpstreamPool::~AsyncUpstreamPool() = default;

std::shared_ptr<AsyncUpstreamPool> AsyncUpstreamPool::create(size_t max_idle_per_port) {
  return std::shared_ptr<AsyncUpstreamPool>(new AsyncUpstreamPool(max_idle_per_port));
}

void AsyncUpstreamPool::send(asio::any_io_executor executor, uint16_t port,
                             std::shared_ptr<Request> req, std::chrono::milliseconds timeout,
                             Callback done) {
  auto ex = std::make_shared<Exchange>();
  ex->pool = shared_from_this();
  ex->executor = std::move(executor);
  ex->port = port;
  ex->req = std::move(req);
  ex->timeout = timeout;
  ex->done = std::move(done);
  ex->start();
}

std::unique_ptr<AsyncUpstreamPool::Conn> AsyncUpstreamPool::take(uint16_t port) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = idle_.find(port);
  if (it == idle_.end() || it->second.empty()) return nullptr;
  auto conn = std::move(it->second.back());
  it->second.pop_back();
  return conn;
}

void AsyncUpstreamPool::give_back(uint16_t port, std::unique_ptr<Conn> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& v = idle_[port];
  if (v.size() < max_idle_) v.push_back(std::move(conn));
}

void AsyncUpstreamPool::close_idle() {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.clear();
}

void AsyncUpstreamPool::forget(uint16_t port) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.erase(port);
}

}  // namespace modelhost::http

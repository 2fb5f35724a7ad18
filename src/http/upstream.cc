// See upstream.h.
#include "http/upstream.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace modelhost::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct UpstreamPool::Conn {
  asio::io_context io;
  tcp::socket socket{io};
  beast::flat_buffer buffer;
};

UpstreamPool::UpstreamPool(size_t max_idle_per_port) : max_idle_(max_idle_per_port) {}
UpstreamPool::~UpstreamPool() = default;

std::unique_ptr<UpstreamPool::Conn> UpstreamPool::take(uint16_t port) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = idle_.find(port);
  if (it == idle_.end() || it->second.empty()) return nullptr;
  auto conn = std::move(it->second.back());
  it->second.pop_back();
  return conn;
}

void UpstreamPool::give_back(uint16_t port, std::unique_ptr<Conn> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& v = idle_[port];
  if (v.size() < max_idle_) v.push_back(std::move(conn));
}

void UpstreamPool::forget(uint16_t port) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.erase(port);
}

namespace {

void set_timeouts(tcp::socket& s, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

}  // namespace

Result<Response> UpstreamPool::send(uint16_t port, const Request& req,
                                    std::chrono::milliseconds timeout) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<Conn> conn = attempt == 0 ? take(port) : nullptr;
    const bool reused = conn != nullptr;
    beast::error_code ec;
    if (!conn) {
      conn = std::make_unique<Conn>();
      conn->socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), ec);
      if (ec)
        return unavailable("cannot connect to port " + std::to_string(port) + ": " + ec.message());
      conn->socket.set_option(tcp::no_delay(true), ec);
    }
    set_timeouts(conn->socket, timeout);
    beast_http::write(conn->socket, req, ec);
    if (ec) {
      if (reused) continue;
      return unavailable("sending the request failed: " + ec.message());
    }
    beast_http::response_parser<beast_http::string_body> parser;
    parser.body_limit(256ull << 20);
    beast_http::read(conn->socket, conn->buffer, parser, ec);
    if (ec) {
      if (ec == asio::error::would_block || ec == asio::error::try_again ||
          ec == asio::error::timed_out) {
        return Status(StatusCode::kDeadlineExceeded,
                      "no answer within " + std::to_string(timeout.count()) + " ms");
      }
      const bool nothing_read = !parser.got_some();
      if (reused && nothing_read) continue;  // closed while idle
      return unavailable("reading the answer failed: " + ec.message());
    }
    Response res = parser.release();
    if (res.keep_alive()) give_back(port, std::move(conn));
    return res;
  }
  return unavailable("the upstream on port " + std::to_string(port) + " closed the connection");
}

}  // namespace modelhost::http

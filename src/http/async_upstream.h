// Asynchronous HTTP/1.1 requests to local upstream servers (model instances) over kept-alive
// connections, for the gateway: the request is written and the answer read by completion handlers
// on the executor given (the client connection's strand), so forwarding costs no thread hand-off
// and no thread waits on an instance. Idle connections are pooled per port; a request that fails on
// a reused connection before any answer arrived (the upstream closed it while idle) is retried once
// on a new connection. One timeout covers the whole exchange.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "common/status.h"
#include "http/message.h"

namespace modelhost::http {

class AsyncUpstreamPool : public std::enable_shared_from_this<AsyncUpstreamPool> {
 public:
  // Called once, on `executor`, with the answer or an error: kUnavailable for "cannot connect"
  // (message starts with "cannot connect": the request never reached the upstream) or a broken
  // exchange, kDeadlineExceeded after the timeout.
  using Callback = std::function<void(Result<Response>)>;

  static std::shared_ptr<AsyncUpstreamPool> create(size_t max_idle_per_port = 64);
  ~AsyncUpstreamPool();

  void send(boost::asio::any_io_executor executor, uint16_t port, std::shared_ptr<Request> req,
            std::chrono::milliseconds timeout, Callback done);

  // Drops the idle connections to `port` (its instance is gone).
  void forget(uint16_t port);
  // Drops every idle connection (before the io_context they were made on goes away).
  void close_idle();

 private:
  struct Conn;
  struct Exchange;
  explicit AsyncUpstreamPool(size_t max_idle);
  std::unique_ptr<Conn> take(uint16_t port);
  void give_back(uint16_t port, std::unique_ptr<Conn> conn);

  const size_t max_idle_;
  std::mutex mu_;
  std::map<uint16_t, std::vector<std::unique_ptr<Conn>>> idle_;
};

}  // namespace modelhost::http

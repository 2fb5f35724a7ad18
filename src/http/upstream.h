// Blocking HTTP/1.1 requests to local upstream servers (model instances) over kept-alive
// connections: a pool of idle connections per port, reused by whichever thread asks next. Send and
// receive have a timeout (socket options), so a stalled upstream costs at most that long; a dead
// one fails at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "common/status.h"
#include "http/message.h"

namespace modelhost::http {

class UpstreamPool {
 public:
  explicit UpstreamPool(size_t max_idle_per_port = 64);
  ~UpstreamPool();
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  // Sends `req` to 127.0.0.1:port and reads the answer. A request that fails on a reused
  // connection before any answer arrived (the upstream closed it while idle) is retried once on a
  // new connection. kUnavailable names what failed; kDeadlineExceeded after `timeout`.
  Result<Response> send(uint16_t port, const Request& req, std::chrono::milliseconds timeout);

  // Closes the idle connections to `port` (its instance is gone).
  void forget(uint16_t port);

 private:
  struct Conn;
  std::unique_ptr<Conn> take(uint16_t port);
  void give_back(uint16_t port, std::unique_ptr<Conn> conn);

  const size_t max_idle_;
  std::mutex mu_;
  std::map<uint16_t, std::vector<std::unique_ptr<Conn>>> idle_;
};

}  // namespace modelhost::http

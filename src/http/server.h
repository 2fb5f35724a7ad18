// An HTTP/1.1 server on Boost.Beast: keep-alive, pipelining (answered in order), Expect:
// 100-continue, gzip/deflate request bodies, and bounded everything (header size, body size counted
// after decoding, header/body/idle/write timeouts, connection count).
//
// Threading: `io_threads` threads run one io_context. Each connection is served on its own strand,
// so a connection's handler calls are serialized; different connections run in parallel. The
// handler runs on an I/O thread and must not block: it hands work elsewhere and completes the
// request later through its Responder, from any thread.
//
// One request per connection is in flight at a time: the next request (pipelined or not) is read
// only after the response to the current one has been written.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.h"
#include "http/message.h"

namespace modelhost::http {

namespace detail {
class Connection;
struct ServerCore;
}  // namespace detail

// Completes one request. Move-only. Call send() exactly once, from any thread; the write happens on
// the connection's strand. If the Responder is destroyed without send(), the client gets
// 500 {"error":"internal error"}, so a connection never hangs on a forgotten request.
//
// send() after the connection has closed (client gone, server stopped) does nothing. A Responder
// may outlive the Server that created it; it then keeps only a little shared state alive.
class Responder {
 public:
  // An empty responder: valid() is false and send() does nothing.
  Responder() = default;
  ~Responder();
  Responder(Responder&& other) noexcept;
  // Completes the request this responder held (with 500) before taking over `other`'s.
  Responder& operator=(Responder&& other) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  // Sends `res`. Content-Length is set if the handler did not set it (or a chunked
  // Transfer-Encoding); the HTTP version is the request's; `Connection: close` is forced when the
  // client or the server will not keep the connection open.
  void send(Response&& res);

  // The executor of the connection this request came on (its strand): asynchronous work started
  // with it completes without leaving the connection's thread. Empty for a callback responder.
  boost::asio::any_io_executor executor() const;

  // True until send() is called (or the responder is moved from).
  bool valid() const { return conn_ != nullptr || callback_ != nullptr; }

  // A responder that hands the response to `on_response` (called on the thread that calls send(),
  // or from the destructor with a 500 if send() was never called). For tests and in-process callers
  // that want to drive a Handler without a socket.
  static Responder from_callback(std::function<void(Response&&)> on_response);

 private:
  friend class detail::Connection;
  explicit Responder(std::shared_ptr<detail::Connection> conn);
  void complete_unsent() noexcept;

  std::shared_ptr<detail::Connection> conn_;
  std::function<void(Response&&)> callback_;
};

// Called on an I/O thread for each complete request; must not block (hand compute to another
// thread and call responder.send later). Exceptions thrown by the handler are caught and answered
// 500 {"error": "internal error"}.
using Handler = std::function<void(Request&& req, Responder responder)>;

struct ServerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;  // 0 = pick a free port (see Server::port())
  int io_threads = 1;
  uint64_t max_body_bytes = 64ull << 20;  // decoded body; over it: 413, without reading the rest
  uint32_t max_header_bytes = 16 * 1024;  // request line + headers; over it: 431
  // From the first byte of a request to the end of its header; then 408 and close. It covers the
  // whole header, not each read, so a client that trickles bytes (slowloris) is cut off.
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{60'000};   // the whole body; then 408 and close
  std::chrono::milliseconds idle_timeout{300'000};  // keep-alive connection with no request
  std::chrono::milliseconds write_timeout{60'000};  // one response to a slow reader
  int max_connections = 4096;                       // over it: accepted and closed at once

  // Request bodies streamed to a file instead of memory (model uploads). Once a request's header
  // is read, `spool_limit` (when set) is asked for it; a non-zero answer streams the body into a
  // new file in `spool_dir` (at most that many bytes, else 413; identity coding only, else 415;
  // `spool_timeout` for the whole body), and the handler gets a request whose body is that file's
  // path and whose kSpooledBodyField holds the body's size in bytes. The handler owns the file
  // (it moves or deletes it); a body that fails midway is deleted here. kSpooledBodyField is
  // removed from every request as received, so its presence can be trusted.
  std::function<uint64_t(const Request&)> spool_limit;
  std::string spool_dir;
  std::chrono::milliseconds spool_timeout{3'600'000};
};

inline constexpr std::string_view kSpooledBodyField = "Modelhost-Spooled-Body";

class Server {
 public:
  // Binds and listens (but serves nothing until start()). The error names host:port.
  static Result<std::unique_ptr<Server>> create(const ServerConfig& config, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  uint16_t port() const { return port_; }  // the port actually bound

  // Starts io_threads threads; returns at once. Call at most once.
  void start();
  // Closes the listener; open connections keep being served (graceful drain). Idempotent.
  void stop_accepting();
  // Requests handed to the handler whose response has not been written yet.
  size_t active_requests() const;
  size_t open_connections() const;
  // Closes the listener and every connection and joins the threads. Idempotent; the destructor
  // calls it. Responders still held elsewhere become no-ops. Must not be called from a handler (an
  // I/O thread cannot join itself).
  void stop();

 private:
  Server(std::shared_ptr<detail::ServerCore> core, uint16_t port);
  void do_accept();

  std::shared_ptr<detail::ServerCore> core_;  // first: outlives the members below
  uint16_t port_;
  std::vector<std::thread> threads_;
  bool started_ = false;
  std::atomic<bool> accepting_{true};
  std::atomic<bool> stopped_{false};
};

}  // namespace modelhost::http

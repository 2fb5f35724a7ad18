// Internal to src/http: the state a Server shares with its connections, and one connection's
// request/response loop. Not part of the public API; include server.h instead.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "http/content_coding.h"
#include "http/server.h"

namespace modelhost::http::detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// Shared by the Server and every Connection (each holds a shared_ptr), so the io_context outlives
// any connection, including one kept alive by a Responder after the Server is gone.
struct ServerCore : std::enable_shared_from_this<ServerCore> {
  ServerCore(const ServerConfig& config, Handler handler);

  // The socket executor for a new connection: a strand when several threads run the io_context.
  net::any_io_executor connection_executor();
  void accept_next();
  void close_acceptor();  // on accept_strand

  net::io_context ioc;  // first: destroyed after everything that uses it
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  net::strand<net::io_context::executor_type> accept_strand;
  tcp::acceptor acceptor;
  net::steady_timer accept_retry_timer;
  const ServerConfig config;
  const Handler handler;
  // The shortest configured timeout; a connection's timer wakes at least this often, so moving a
  // deadline never needs to cancel the timer (see Connection::arm_timer).
  Clock::duration tick;

  std::atomic<size_t> active_requests{0};
  std::atomic<size_t> open_connections{0};
  std::atomic<bool> draining{false};  // stop_accepting(): answer with Connection: close
  // stop() sets `closing` and then waits until no Responder is between its check of `closing` and
  // its post to the io_context, so nothing is posted once the threads may have returned.
  std::atomic<bool> closing{false};
  std::atomic<int> sends_in_flight{0};

  std::mutex connections_mu;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<ServerCore> core, tcp::socket socket);

  // Registers with the core and starts reading; call on the connection's executor.
  void start();
  // Posts close() to the connection's executor; any thread.
  void close_later();

  net::any_io_executor executor() { return socket_.get_executor(); }

  // Responder entry points; any thread.
  static void deliver(std::shared_ptr<Connection> self, Response&& res);
  static void deliver_unsent(std::shared_ptr<Connection> self);

 private:
  enum class Phase { kIdle, kHeader, kBody, kHandler, kWrite, kLinger, kClosed };
  enum class AfterWrite { kKeepAlive, kClose, kLingerClose };

  struct ChunkCounter {
    Connection* conn;
    void operator()(uint64_t size, boost::beast::string_view extensions,
                    boost::system::error_code& ec);
  };

  void read_request();
  void on_first_bytes(boost::system::error_code ec, size_t n);
  void read_header();
  void on_header(boost::system::error_code ec);
  void on_continue_written(boost::system::error_code ec);
  // Switches to a file body for a request the config spools; false after a rejection was sent.
  bool start_spool(uint64_t max_body);
  void discard_spool();
  void read_body();
  void on_body(boost::system::error_code ec);
  void on_read_error(boost::system::error_code ec);
  void dispatch_request();

  void write_handler_response(Response&& res);
  void reject(unsigned status, std::string_view message, AfterWrite after);
  void write_response(Response&& res, AfterWrite after);
  void on_write(boost::system::error_code ec, AfterWrite after);

  void set_deadline(Clock::duration timeout) { deadline_ = Clock::now() + timeout; }
  void clear_deadline() { deadline_ = Clock::time_point::max(); }
  void arm_timer();
  void on_timer(boost::system::error_code ec);

  void linger_close();
  void read_linger();
  void close();
  void finish_request();

  std::shared_ptr<ServerCore> core_;  // first: outlives the socket and timer below
  tcp::socket socket_;
  net::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  // Set instead of parser_'s body while a spooled body is read (ServerConfig::spool_limit).
  std::optional<boost::beast::http::request_parser<boost::beast::http::file_body>> file_parser_;
  std::string spool_path_;   // the file being written; "" once handed over or deleted
  uint64_t body_limit_ = 0;  // of the current request, for the 413 message
  Response response_;
  ChunkCounter chunk_counter_{this};
  Clock::time_point deadline_ = Clock::time_point::max();
  Phase phase_ = Phase::kIdle;
  ContentCoding coding_ = ContentCoding::kIdentity;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool first_request_ = true;
  bool timed_out_ = false;
  bool too_many_chunks_ = false;
  bool request_active_ = false;  // handed to the handler; counted in core_->active_requests
  bool registered_ = false;
  uint64_t chunk_count_ = 0;
  size_t linger_left_ = 0;
};

}  // namespace modelhost::http::detail

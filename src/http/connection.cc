#include "http/connection.h"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdio>
#include <exception>
#include <string>
#include <utility>

#include "common/ids.h"
#include "common/logging.h"

namespace modelhost::http::detail {
namespace {

namespace beast = boost::beast;
using boost::system::error_code;

// Triton caps the chunk count after CVE-2025-23310; a body of millions of tiny chunks costs far
// more to parse than its size suggests.
constexpr uint64_t kMaxChunks = 65536;
// After an error response the server stops sending and reads (and discards) up to this much for up
// to kLingerTime, so the client sees the response instead of a reset caused by its unread upload.
constexpr size_t kLingerBytes = 256 * 1024;
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr size_t kFirstReadBytes = 16 * 1024;
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

bool is_parse_error(const error_code& ec) {
  return ec.category() == beast::http::make_error_code(beast::http::error::bad_method).category();
}

std::string body_limit_message(uint64_t max_body) {
  return "request body exceeds the limit of " + std::to_string(max_body) + " bytes";
}

}  // namespace

// ---- ServerCore -------------------------------------------------------------------------------

ServerCore::ServerCore(const ServerConfig& cfg, Handler h)
    : accept_strand(net::make_strand(ioc)),
      acceptor(accept_strand),
      accept_retry_timer(accept_strand),
      config(cfg),
      handler(std::move(h)) {
  Clock::duration t = Clock::duration::max();
  for (auto d :
       {config.header_timeout, config.body_timeout, config.idle_timeout, config.write_timeout}) {
    t = std::min<Clock::duration>(t, d);
  }
  tick = std::max<Clock::duration>(t, std::chrono::milliseconds(1));
}

net::any_io_executor ServerCore::connection_executor() {
  if (config.io_threads > 1) return net::make_strand(ioc);
  return ioc.get_executor();
}

void ServerCore::accept_next() {
  acceptor.async_accept(
      connection_executor(), [core = shared_from_this()](error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !core->acceptor.is_open()) return;
        if (ec) {
          // Out of file descriptors and the like: back off briefly instead of spinning.
          LOG_WARN("http accept failed").kv("error", ec.message());
          core->accept_retry_timer.expires_after(std::chrono::milliseconds(50));
          core->accept_retry_timer.async_wait([core](error_code wait_ec) {
            if (!wait_ec && core->acceptor.is_open()) core->accept_next();
          });
          return;
        }
        if (core->open_connections.load() >= static_cast<size_t>(core->config.max_connections)) {
          error_code ignored;
          socket.close(ignored);
        } else {
          error_code ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          core->open_connections.fetch_add(1);
          try {
            std::make_shared<Connection>(core, std::move(socket))->start();
          } catch (const std::exception& e) {
            core->open_connections.fetch_sub(1);
            LOG_ERROR("http connection setup failed").kv("error", e.what());
          }
        }
        core->accept_next();
      });
}

void ServerCore::close_acceptor() {
  error_code ignored;
  accept_retry_timer.cancel();
  acceptor.close(ignored);
}

// ---- Connection -------------------------------------------------------------------------------

Connection::Connection(std::shared_ptr<ServerCore> core, tcp::socket socket)
    : core_(std::move(core)), socket_(std::move(socket)), timer_(socket_.get_executor()) {}

void Connection::start() {
  net::dispatch(socket_.get_executor(), [self = shared_from_this()] {
    {
      std::lock_guard<std::mutex> lock(self->core_->connections_mu);
      if (!self->core_->closing.load()) {
        self->core_->connections.emplace(self.get(), self);
        self->registered_ = true;
      }
    }
    if (!self->registered_) {
      self->close();
      return;
    }
    self->read_request();
    self->arm_timer();
  });
}

void Connection::close_later() {
  net::post(socket_.get_executor(), [self = shared_from_this()] { self->close(); });
}

// ---- reading a request --------------------------------------------------------------------------

void Connection::read_request() {
  discard_spool();
  file_parser_.reset();
  parser_.emplace();
  parser_->header_limit(core_->config.max_header_bytes);
  parser_->body_limit(
      boost::none);  // checked against Content-Length by hand, then set in on_header
  timed_out_ = false;
  too_many_chunks_ = false;
  coding_ = ContentCoding::kIdentity;
  version_ = 11;
  keep_alive_ = true;
  if (buffer_.size() > 0) {  // a pipelined request is already here
    read_header();
    return;
  }
  // Wait for the first byte under the idle timeout (a fresh connection gets the header timeout);
  // the header timeout starts once the request has begun.
  phase_ = Phase::kIdle;
  set_deadline(first_request_ ? core_->config.header_timeout : core_->config.idle_timeout);
  socket_.async_read_some(
      buffer_.prepare(kFirstReadBytes),
      [self = shared_from_this()](error_code ec, size_t n) { self->on_first_bytes(ec, n); });
}

void Connection::on_first_bytes(error_code ec, size_t n) {
  if (phase_ == Phase::kClosed) return;
  if (ec) {  // client closed, reset, or idle timeout: nothing to answer
    close();
    return;
  }
  buffer_.commit(n);
  read_header();
}

void Connection::read_header() {
  phase_ = Phase::kHeader;
  set_deadline(core_->config.header_timeout);
  beast::http::async_read_header(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](error_code ec, size_t) { self->on_header(ec); });
}

void Connection::on_header(error_code ec) {
  if (phase_ == Phase::kClosed) return;
  if (ec) {
    on_read_error(ec);
    return;
  }
  first_request_ = false;
  parser_->get().erase(kSpooledBodyField);  // only this server may set it
  const Request& req = parser_->get();
  version_ = req.version();
  keep_alive_ = req.keep_alive();
  uint64_t max_body = core_->config.max_body_bytes;

  // Beast applies header_limit to what one parse call sees, so a header block that arrived in
  // pieces can pass it; count the whole block here.
  size_t header_bytes = req.method_string().size() + req.target().size() + 12;
  for (const auto& field : req)
    header_bytes += field.name_string().size() + field.value().size() + 4;
  if (header_bytes > core_->config.max_header_bytes) {
    reject(431,
           "request header exceeds the limit of " + std::to_string(core_->config.max_header_bytes) +
               " bytes",
           AfterWrite::kLingerClose);
    return;
  }

  bool spool = false;
  if (core_->config.spool_limit) {
    if (uint64_t limit = core_->config.spool_limit(req); limit > 0) {
      max_body = limit;
      spool = true;
    }
  }
  body_limit_ = max_body;
  if (auto len = parser_->content_length(); len && *len > max_body) {
    reject(413,
           "request body of " + std::to_string(*len) + " bytes exceeds the limit of " +
               std::to_string(max_body) + " bytes",
           AfterWrite::kLingerClose);
    return;
  }
  if (auto it = req.find(beast::http::field::content_encoding); it != req.end()) {
    coding_ = parse_content_coding(it->value());
    if (coding_ == ContentCoding::kUnsupported) {
      reject(415,
             "unsupported Content-Encoding \"" + std::string(it->value()) +
                 "\"; use gzip, deflate or identity",
             AfterWrite::kLingerClose);
      return;
    }
  }
  parser_->body_limit(max_body);
  if (spool && !start_spool(max_body)) return;
  if (parser_->chunked()) {
    chunk_count_ = 0;
    if (file_parser_) {
      file_parser_->on_chunk_header(chunk_counter_);
    } else {
      parser_->on_chunk_header(chunk_counter_);
    }
  }
  if (file_parser_ ? file_parser_->is_done() : parser_->is_done()) {
    dispatch_request();
    return;
  }
  if (version_ >= 11 && beast::iequals(req[beast::http::field::expect], "100-continue")) {
    phase_ = Phase::kWrite;
    set_deadline(core_->config.write_timeout);
    net::async_write(socket_, net::buffer(kContinue, sizeof(kContinue) - 1),
                     [self = shared_from_this()](error_code write_ec, size_t) {
                       self->on_continue_written(write_ec);
                     });
    return;
  }
  read_body();
}

void Connection::on_continue_written(error_code ec) {
  if (phase_ == Phase::kClosed) return;
  if (ec) {
    close();
    return;
  }
  read_body();
}

bool Connection::start_spool(uint64_t max_body) {
  if (coding_ != ContentCoding::kIdentity) {
    reject(415, "this upload must be sent without Content-Encoding (the file as it is)",
           AfterWrite::kLingerClose);
    return false;
  }
  spool_path_ = core_->config.spool_dir + "/upload-" + new_id() + ".part";
  file_parser_.emplace(std::move(*parser_));
  parser_.reset();
  file_parser_->body_limit(max_body);
  error_code ec;
  file_parser_->get().body().open(spool_path_.c_str(), beast::file_mode::write_new, ec);
  if (ec) {
    LOG_ERROR("cannot create an upload file").kv("path", spool_path_).kv("error", ec.message());
    spool_path_.clear();
    reject(500, "internal error (cannot store the upload)", AfterWrite::kLingerClose);
    return false;
  }
  return true;
}

void Connection::discard_spool() {
  if (file_parser_) file_parser_->get().body().close();
  if (!spool_path_.empty()) {
    std::remove(spool_path_.c_str());
    spool_path_.clear();
  }
}

void Connection::read_body() {
  phase_ = Phase::kBody;
  if (file_parser_) {
    set_deadline(core_->config.spool_timeout);
    beast::http::async_read(
        socket_, buffer_, *file_parser_,
        [self = shared_from_this()](error_code ec, size_t) { self->on_body(ec); });
    return;
  }
  set_deadline(core_->config.body_timeout);
  beast::http::async_read(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](error_code ec, size_t) { self->on_body(ec); });
}

void Connection::on_body(error_code ec) {
  if (phase_ == Phase::kClosed) return;
  if (ec) {
    on_read_error(ec);
    return;
  }
  dispatch_request();
}

void Connection::ChunkCounter::operator()(uint64_t, beast::string_view, error_code& ec) {
  if (++conn->chunk_count_ > kMaxChunks) {
    conn->too_many_chunks_ = true;
    ec = beast::http::error::body_limit;
  }
}

void Connection::on_read_error(error_code ec) {
  const bool in_body = phase_ == Phase::kBody;
  const bool spooled = file_parser_.has_value();
  discard_spool();
  if (timed_out_) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(
            in_body ? (spooled ? core_->config.spool_timeout : core_->config.body_timeout)
                    : core_->config.header_timeout)
            .count();
    reject(408,
           std::string(in_body ? "request body" : "request header") + " not received within " +
               std::to_string(ms) + " ms",
           AfterWrite::kLingerClose);
    return;
  }
  if (too_many_chunks_) {
    reject(413, "request body has more than " + std::to_string(kMaxChunks) + " chunks",
           AfterWrite::kLingerClose);
    return;
  }
  if (ec == beast::http::error::header_limit) {
    reject(431,
           "request header exceeds the limit of " + std::to_string(core_->config.max_header_bytes) +
               " bytes",
           AfterWrite::kLingerClose);
    return;
  }
  if (ec == beast::http::error::body_limit) {
    reject(413, body_limit_message(body_limit_), AfterWrite::kLingerClose);
    return;
  }
  // The client went away (mid-request or between requests): nobody to answer.
  if (ec == beast::http::error::end_of_stream || ec == beast::http::error::partial_message ||
      !is_parse_error(ec)) {
    close();
    return;
  }
  reject(400, "malformed HTTP request: " + ec.message(), AfterWrite::kLingerClose);
}

void Connection::dispatch_request() {
  Request req;
  if (file_parser_) {
    auto spooled = file_parser_->release();
    error_code size_ec;
    const uint64_t size = spooled.body().file().size(size_ec);
    spooled.body().close();
    req = Request(std::move(spooled.base()));
    req.set(kSpooledBodyField, std::to_string(size));
    req.body() = std::move(spool_path_);
    spool_path_.clear();  // the handler's now
  } else {
    req = parser_->release();
  }
  if (coding_ != ContentCoding::kIdentity) {
    std::string decoded;
    const DecodeError err = decode_body(coding_, req.body(), core_->config.max_body_bytes, decoded);
    // The whole body was read, so the connection is still in step and may stay open.
    const AfterWrite after = keep_alive_ ? AfterWrite::kKeepAlive : AfterWrite::kClose;
    if (err == DecodeError::kTooLarge) {
      reject(413, "decoded " + body_limit_message(core_->config.max_body_bytes), after);
      return;
    }
    if (err == DecodeError::kCorrupt) {
      reject(400, "request body is not valid data for its Content-Encoding", after);
      return;
    }
    req.body() = std::move(decoded);
    req.erase(beast::http::field::content_encoding);
    if (req.has_content_length()) req.content_length(req.body().size());
  }

  phase_ = Phase::kHandler;
  clear_deadline();
  request_active_ = true;
  core_->active_requests.fetch_add(1);
  // The handler may call send() inline, which writes on this strand before the call returns; so
  // nothing may touch the connection's state after this call.
  try {
    core_->handler(std::move(req), Responder(shared_from_this()));
  } catch (const std::exception& e) {
    // The Responder was destroyed during unwinding and has already answered 500.
    LOG_ERROR("http handler threw").kv("error", e.what());
  } catch (...) {
    LOG_ERROR("http handler threw").kv("error", "unknown exception");
  }
}

// ---- writing a response -------------------------------------------------------------------------

void Connection::deliver(std::shared_ptr<Connection> self, Response&& res) {
  ServerCore& core = *self->core_;
  core.sends_in_flight.fetch_add(1);
  if (!core.closing.load()) {
    try {
      auto executor = self->socket_.get_executor();
      net::dispatch(executor, [self = std::move(self), res = std::move(res)]() mutable {
        self->write_handler_response(std::move(res));
      });
    } catch (...) {
      core.sends_in_flight.fetch_sub(1);
      throw;
    }
  }
  core.sends_in_flight.fetch_sub(1);
}

void Connection::deliver_unsent(std::shared_ptr<Connection> self) {
  ServerCore& core = *self->core_;
  core.sends_in_flight.fetch_add(1);
  if (!core.closing.load()) {
    try {
      auto executor = self->socket_.get_executor();
      net::dispatch(executor, [self = std::move(self)]() mutable {
        self->write_handler_response(
            make_error(500, "internal error", self->version_, self->keep_alive_));
      });
    } catch (...) {
      // Out of memory while answering a dropped request: the connection is closed by its timer
      // or by stop(); nothing else can be done from a destructor.
    }
  }
  core.sends_in_flight.fetch_sub(1);
}

void Connection::write_handler_response(Response&& res) {
  if (phase_ != Phase::kHandler) return;  // closed meanwhile (its request was already uncounted)
  if (!res.has_content_length() && !res.chunked()) res.prepare_payload();
  res.version(version_);
  // res.keep_alive() would be false for any HTTP/1.0 response without a Connection header, so only
  // an explicit `Connection: close` from the handler counts as asking to close.
  const bool handler_closes =
      beast::http::token_list{res[beast::http::field::connection]}.exists("close");
  const bool keep = keep_alive_ && !handler_closes && !core_->draining.load();
  res.keep_alive(keep);
  write_response(std::move(res), keep ? AfterWrite::kKeepAlive : AfterWrite::kClose);
}

void Connection::reject(unsigned status, std::string_view message, AfterWrite after) {
  const bool keep = after == AfterWrite::kKeepAlive;
  write_response(make_error(status, message, version_, keep), after);
}

void Connection::write_response(Response&& res, AfterWrite after) {
  response_ = std::move(res);
  phase_ = Phase::kWrite;
  set_deadline(core_->config.write_timeout);
  beast::http::async_write(
      socket_, response_,
      [self = shared_from_this(), after](error_code ec, size_t) { self->on_write(ec, after); });
}

void Connection::on_write(error_code ec, AfterWrite after) {
  finish_request();
  if (phase_ == Phase::kClosed) return;
  response_ = Response();  // release a large body now rather than at the next response
  if (ec) {
    close();
    return;
  }
  switch (after) {
    case AfterWrite::kKeepAlive:
      read_request();
      return;
    case AfterWrite::kClose: {
      error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
      close();
      return;
    }
    case AfterWrite::kLingerClose:
      linger_close();
      return;
  }
}

void Connection::finish_request() {
  if (request_active_) {
    request_active_ = false;
    core_->active_requests.fetch_sub(1);
  }
}

// ---- timeouts ---------------------------------------------------------------------------------

// One timer per connection, re-armed lazily: it wakes at the deadline or after one tick, whichever
// comes first, and moving the deadline is a plain store. Every configured timeout is at least one
// tick, so a new deadline is never earlier than the pending wake-up and the timer is never
// cancelled per request (only linger_close() re-arms it, since its fixed time may be shorter).
void Connection::arm_timer() {
  timer_.expires_at(std::min(deadline_, Clock::now() + core_->tick));
  timer_.async_wait([self = shared_from_this()](error_code ec) { self->on_timer(ec); });
}

void Connection::on_timer(error_code ec) {
  if (phase_ == Phase::kClosed || ec == net::error::operation_aborted) return;
  if (Clock::now() < deadline_) {
    arm_timer();
    return;
  }
  switch (phase_) {
    case Phase::kHeader:
    case Phase::kBody: {
      // Cancel the read; its handler sees timed_out_ and answers 408.
      timed_out_ = true;
      clear_deadline();
      arm_timer();
      error_code ignored;
      socket_.cancel(ignored);
      return;
    }
    case Phase::kHandler:
      arm_timer();
      return;
    default:  // idle keep-alive, slow reader, lingering after an error: close silently
      close();
      return;
  }
}

// ---- closing ----------------------------------------------------------------------------------

void Connection::linger_close() {
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) {
    close();
    return;
  }
  phase_ = Phase::kLinger;
  // The linger time may be shorter than a tick: re-arm (an error path, so the cost does not
  // matter).
  set_deadline(kLingerTime);
  arm_timer();
  linger_left_ = kLingerBytes;
  buffer_.clear();
  read_linger();
}

void Connection::read_linger() {
  socket_.async_read_some(buffer_.prepare(kFirstReadBytes),
                          [self = shared_from_this()](error_code ec, size_t n) {
                            if (self->phase_ == Phase::kClosed) return;
                            if (ec || n >= self->linger_left_) {
                              self->close();
                              return;
                            }
                            self->linger_left_ -= n;
                            self->read_linger();
                          });
}

void Connection::close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  finish_request();
  error_code ignored;
  timer_.cancel();
  socket_.close(ignored);
  discard_spool();
  parser_.reset();
  file_parser_.reset();
  buffer_.clear();
  buffer_.shrink_to_fit();
  core_->open_connections.fetch_sub(1);
  if (registered_) {
    std::lock_guard<std::mutex> lock(core_->connections_mu);
    core_->connections.erase(this);
    registered_ = false;
  }
}

}  // namespace modelhost::http::detail

#include "http/server.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <exception>
#include <utility>

#include "common/logging.h"
#include "http/connection.h"

namespace modelhost::http {

using detail::Connection;
using detail::ServerCore;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// ---- Responder ----------------------------------------------------------------------------------

Responder::Responder(std::shared_ptr<Connection> conn) : conn_(std::move(conn)) {}

Responder::Responder(Responder&& other) noexcept
    : conn_(std::move(other.conn_)), callback_(std::exchange(other.callback_, nullptr)) {}

Responder& Responder::operator=(Responder&& other) noexcept {
  if (this != &other) {
    complete_unsent();
    conn_ = std::move(other.conn_);
    callback_ = std::exchange(other.callback_, nullptr);
  }
  return *this;
}

Responder::~Responder() { complete_unsent(); }

Responder Responder::from_callback(std::function<void(Response&&)> on_response) {
  Responder r;
  r.callback_ = std::move(on_response);
  return r;
}

boost::asio::any_io_executor Responder::executor() const {
  if (conn_ == nullptr) return {};
  return conn_->executor();
}

void Responder::send(Response&& res) {
  if (conn_) {
    Connection::deliver(std::move(conn_), std::move(res));
  } else if (callback_) {
    auto callback = std::exchange(callback_, nullptr);
    if (!res.has_content_length() && !res.chunked()) res.prepare_payload();
    callback(std::move(res));
  }
}

void Responder::complete_unsent() noexcept {
  if (conn_) {
    Connection::deliver_unsent(std::move(conn_));
  } else if (callback_) {
    try {
      send(make_error(500, "internal error", 11, true));
    } catch (...) {
      // A destructor cannot report this; the callback owner sees no response.
    }
  }
}

// ---- Server -------------------------------------------------------------------------------------

namespace {

std::string host_port(const ServerConfig& config) {
  return config.host + ":" + std::to_string(config.port);
}

Status check_config(const ServerConfig& c) {
  if (c.io_threads < 1) return invalid_argument("http io_threads must be at least 1");
  if (c.max_connections < 1) return invalid_argument("http max_connections must be at least 1");
  if (c.max_header_bytes < 64) return invalid_argument("http max_header_bytes must be at least 64");
  for (auto t : {c.header_timeout, c.body_timeout, c.idle_timeout, c.write_timeout}) {
    if (t.count() <= 0) return invalid_argument("http timeouts must be positive");
  }
  return Status::ok_status();
}

}  // namespace

Result<std::unique_ptr<Server>> Server::create(const ServerConfig& config, Handler handler) {
  RETURN_IF_ERROR(check_config(config));
  if (!handler) return invalid_argument("http server needs a request handler");
  auto core = std::make_shared<ServerCore>(config, std::move(handler));

  boost::system::error_code ec;
  tcp::endpoint endpoint;
  const auto address = net::ip::make_address(config.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, config.port);
  } else {
    tcp::resolver resolver(core->ioc);
    auto results =
        resolver.resolve(config.host, std::to_string(config.port), tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      return invalid_argument("cannot resolve http listen address " + host_port(config) + ": " +
                              (ec ? ec.message() : "no addresses"));
    }
    endpoint = results.begin()->endpoint();
  }

  tcp::acceptor& acceptor = core->acceptor;
  auto fail = [&](const char* what) {
    return unavailable("cannot listen on " + host_port(config) + ": " + what + ": " + ec.message());
  };
  if (acceptor.open(endpoint.protocol(), ec); ec) return fail("open");
  if (acceptor.set_option(net::socket_base::reuse_address(true), ec); ec) return fail("setsockopt");
  if (acceptor.bind(endpoint, ec); ec) return fail("bind");
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) return fail("listen");
  const uint16_t port = acceptor.local_endpoint(ec).port();
  if (ec) return fail("getsockname");
  return std::unique_ptr<Server>(new Server(std::move(core), port));
}

Server::Server(std::shared_ptr<ServerCore> core, uint16_t port)
    : core_(std::move(core)), port_(port) {}

Server::~Server() { stop(); }

void Server::start() {
  if (started_ || stopped_.load()) return;
  started_ = true;
  core_->work.emplace(core_->ioc.get_executor());
  if (accepting_.load()) net::post(core_->accept_strand, [core = core_] { core->accept_next(); });
  LOG_INFO("http listening").kv("host", core_->config.host).kv("port", port_);
  threads_.reserve(static_cast<size_t>(core_->config.io_threads));
  for (int i = 0; i < core_->config.io_threads; ++i) {
    threads_.emplace_back([core = core_.get()] {
      for (;;) {
        try {
          core->ioc.run();
          return;
        } catch (const std::exception& e) {
          LOG_ERROR("http io thread caught an exception").kv("error", e.what());
        } catch (...) {
          LOG_ERROR("http io thread caught an exception").kv("error", "unknown");
        }
      }
    });
  }
}

void Server::stop_accepting() {
  if (!accepting_.exchange(false)) return;
  core_->draining.store(true);
  if (started_) {
    net::post(core_->accept_strand, [core = core_] { core->close_acceptor(); });
  } else {
    core_->close_acceptor();
  }
}

size_t Server::active_requests() const { return core_->active_requests.load(); }

size_t Server::open_connections() const { return core_->open_connections.load(); }

void Server::stop() {
  if (stopped_.exchange(true)) return;
  stop_accepting();
  core_->closing.store(true);
  while (core_->sends_in_flight.load() > 0) std::this_thread::yield();
  if (!started_) return;

  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard<std::mutex> lock(core_->connections_mu);
    open.reserve(core_->connections.size());
    for (auto& [raw, weak] : core_->connections) {
      if (auto conn = weak.lock()) open.push_back(std::move(conn));
    }
  }
  for (auto& conn : open) conn->close_later();
  open.clear();
  core_->work.reset();

  // Every socket and timer is closed or cancelled, so run() returns once their handlers have run.
  // The bound only guards against a bug leaving an operation behind.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (core_->open_connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (core_->open_connections.load() > 0) {
    LOG_WARN("http stop: connections still open, stopping the I/O threads")
        .kv("open", core_->open_connections.load());
    core_->ioc.stop();
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace modelhost::http

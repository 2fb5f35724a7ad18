// See client.h.
#include "http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <fstream>

namespace modelhost::http {

namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

// Shared by both requests; they throw on failure (caught by the callers).
void connect(beast::tcp_stream& stream, const std::string& host, uint16_t port,
             std::chrono::milliseconds timeout) {
  asio::ip::tcp::resolver resolver(stream.get_executor());
  stream.expires_after(timeout);
  stream.connect(resolver.resolve(host, std::to_string(port)));
}

ClientResponse read_answer(beast::tcp_stream& stream) {
  beast::flat_buffer buffer;
  beast_http::response_parser<beast_http::string_body> parser;
  parser.body_limit(64ull << 20);
  beast_http::read(stream, buffer, parser);
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  auto res = parser.release();
  return ClientResponse{res.result_int(), std::move(res.body())};
}

}  // namespace

Result<ClientResponse> send_request(const std::string& host, uint16_t port, beast_http::verb verb,
                                    const std::string& target, const std::string& body,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    std::chrono::milliseconds timeout) {
  const std::string where = host + ":" + std::to_string(port);
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    connect(stream, host, port, timeout);
    Request req{verb, target, 11};
    req.set(beast_http::field::host, host);
    req.set(beast_http::field::user_agent, "modelhost-cli");
    for (const auto& [name, value] : headers) req.set(name, value);
    if (!body.empty()) {
      req.set(beast_http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    beast_http::write(stream, req);
    return read_answer(stream);
  } catch (const std::exception& e) {
    return unavailable("cannot reach " + where + ": " + e.what());
  }
}

Result<ClientResponse> send_file(const std::string& host, uint16_t port, beast_http::verb verb,
                                 const std::string& target, const std::string& path,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 const std::function<void(uint64_t, uint64_t)>& progress,
                                 std::chrono::milliseconds timeout) {
  const std::string where = host + ":" + std::to_string(port);
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) return invalid_argument("cannot read " + path);
  const auto total = static_cast<uint64_t>(file.tellg());
  file.seekg(0);
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    connect(stream, host, port, timeout);
    beast_http::request<beast_http::empty_body> req{verb, target, 11};
    req.set(beast_http::field::host, host);
    req.set(beast_http::field::user_agent, "modelhost-cli");
    req.set(beast_http::field::content_type, "application/octet-stream");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.content_length(total);
    beast_http::request_serializer<beast_http::empty_body> sr(req);
    beast_http::write_header(stream, sr);
    std::vector<char> buf(1 << 20);
    uint64_t sent = 0;
    if (progress) progress(0, total);
    beast::error_code ec;
    while (sent < total) {
      file.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      const auto n = static_cast<size_t>(file.gcount());
      if (n == 0) return invalid_argument("cannot read " + path);
      asio::write(stream.socket(), asio::buffer(buf.data(), n), ec);
      if (ec) break;  // the server may have answered early (413, 401): read that answer
      sent += n;
      if (progress) progress(sent, total);
    }
    return read_answer(stream);
  } catch (const std::exception& e) {
    return unavailable("cannot reach " + where + ": " + e.what());
  }
}

Result<std::pair<std::string, uint16_t>> parse_http_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return invalid_argument("the URL must start with http://, got \"" + std::string(url) + "\"");
  }
  std::string_view rest = url.substr(kScheme.size());
  rest = rest.substr(0, rest.find('/'));
  uint16_t port = 80;
  const size_t colon = rest.rfind(':');
  std::string_view host = rest;
  if (colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    const std::string_view p = rest.substr(colon + 1);
    unsigned v = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc() || end != p.data() + p.size() || v == 0 || v > 65535) {
      return invalid_argument("the URL has a bad port: \"" + std::string(url) + "\"");
    }
    port = static_cast<uint16_t>(v);
  }
  if (host.empty()) return invalid_argument("the URL has no host: \"" + std::string(url) + "\"");
  return std::make_pair(std::string(host), port);
}

}  // namespace modelhost::http

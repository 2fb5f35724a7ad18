// A small blocking HTTP/1.1 client on Boost.Beast, for the CLI and tests: one request per
// connection, a deadline for the whole exchange.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "http/message.h"

namespace modelhost::http {

struct ClientResponse {
  unsigned status = 0;
  std::string body;
};

// Sends one request to host:port. Errors (cannot connect, timeout, malformed answer) come back
// as kUnavailable naming the address.
Result<ClientResponse> send_request(const std::string& host, uint16_t port, beast_http::verb verb,
                                    const std::string& target, const std::string& body,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Sends the file at `path` as the body (streamed, not read into memory), calling
// `progress(sent, total)` as it goes; then reads the answer.
Result<ClientResponse> send_file(const std::string& host, uint16_t port, beast_http::verb verb,
                                 const std::string& target, const std::string& path,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 const std::function<void(uint64_t, uint64_t)>& progress,
                                 std::chrono::milliseconds timeout = std::chrono::minutes(30));

// "http://127.0.0.1:8080" -> host and port (80 when absent); only http:// is supported.
Result<std::pair<std::string, uint16_t>> parse_http_url(std::string_view url);

}  // namespace modelhost::http

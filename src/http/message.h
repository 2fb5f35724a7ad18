// HTTP message types shared by the server, the router and the code that handles requests, plus the
// small helpers that build JSON responses. Nothing here parses JSON; the only JSON written is the
// `{"error":"..."}` envelope, escaped by hand.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace modelhost::http {

namespace beast_http = boost::beast::http;

using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

// Appends `text` to `out` as the inside of a JSON string: quotes, backslashes and control
// characters are escaped, and bytes that are not valid UTF-8 become U+FFFD, so the result is always
// valid JSON whatever the input (error messages may echo a client's path).
void append_json_escaped(std::string& out, std::string_view text);
std::string json_escape(std::string_view text);

// The HTTP status for a failed Status: kOk -> 200; kInvalidArgument, kFailedPrecondition,
// kCancelled -> 400; kUnauthenticated -> 401; kPermissionDenied -> 403; kNotFound -> 404;
// kAlreadyExists -> 409; kInternal -> 500; kUnimplemented -> 501; kUnavailable and
// kResourceExhausted (queue full) -> 503; kDeadlineExceeded -> 504. The body size limit (413) is
// the server's own decision.
int http_status_for(StatusCode code);

// A response with `Content-Type: application/json`, the given body and Content-Length set.
Response make_json_response(unsigned status, std::string body, unsigned version, bool keep_alive);

// `{"error":"<message>"}` with the request's HTTP version and keep-alive choice.
Response make_error(unsigned status, std::string_view message, const Request& req);

// The same without a request to copy from (the request could not be parsed).
Response make_error(unsigned status, std::string_view message, unsigned version, bool keep_alive);

// `{"error":"<message>","request_id":"<id>"}` with X-Request-Id set: the error of a request
// that has an id (the controller's API and gateway).
Response make_error(unsigned status, std::string_view message, std::string_view request_id,
                    unsigned version, bool keep_alive);

inline constexpr std::string_view kRequestIdField = "X-Request-Id";

// The caller's X-Request-Id when it is short (<= 64) and printable ASCII, else a new "req-" id.
std::string request_id_of(const Request& req);

}  // namespace modelhost::http

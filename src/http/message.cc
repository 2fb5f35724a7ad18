#include "http/message.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "common/ids.h"
#include "common/text.h"

namespace modelhost::http {
namespace {}  // namespace

void append_json_escaped(std::string& out, std::string_view text) {
  modelhost::append_json_escaped(out, text);
}

std::string json_escape(std::string_view text) {
  std::string out;
  append_json_escaped(out, text);
  return out;
}

Response make_json_response(unsigned status, std::string body, unsigned version, bool keep_alive) {
  Response res{static_cast<beast_http::status>(status), version};
  res.set(beast_http::field::content_type, "application/json");
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response make_error(unsigned status, std::string_view message, unsigned version, bool keep_alive) {
  std::string body;
  body.reserve(message.size() + 16);
  body += "{\"error\":\"";
  append_json_escaped(body, message);
  body += "\"}";
  return make_json_response(status, std::move(body), version, keep_alive);
}

Response make_error(unsigned status, std::string_view message, std::string_view request_id,
                    unsigned version, bool keep_alive) {
  std::string body = "{\"error\":\"";
  append_json_escaped(body, message);
  body += "\",\"request_id\":\"";
  append_json_escaped(body, request_id);
  body += "\"}";
  Response res = make_json_response(status, std::move(body), version, keep_alive);
  res.set(kRequestIdField, request_id);
  return res;
}

std::string request_id_of(const Request& req) {
  const std::string_view given = req[kRequestIdField];
  if (!given.empty() && given.size() <= 64 &&
      std::all_of(given.begin(), given.end(), [](char c) { return c > 32 && c < 127; })) {
    return std::string(given);
  }
  return new_id("req-");
}

int http_status_for(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kCancelled:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kUnimplemented:
      return 501;
    case StatusCode::kUnavailable:
    case StatusCode::kResourceExhausted:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

Response make_error(unsigned status, std::string_view message, const Request& req) {
  return make_error(status, message, req.version(), req.keep_alive());
}

}  // namespace modelhost::http

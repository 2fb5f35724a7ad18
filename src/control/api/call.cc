// See call.h.
#include "control/api/call.h"

#include <algorithm>
#include <cctype>

#include "common/logging.h"
#include "common/text.h"

namespace modelhost::control {

namespace json = boost::json;
using http::beast_http::field;

Call::Call(http::Request&& req, http::Responder&& responder)
    : req_(std::move(req)), responder_(std::move(responder)), id_(http::request_id_of(req_)) {}

void Call::reply(unsigned status, const json::value& body) {
  http::Response res =
      http::make_json_response(status, json::serialize(body), req_.version(), req_.keep_alive());
  res.set(http::kRequestIdField, id_);
  responder_.send(std::move(res));
}

void Call::reply_text(unsigned status, std::string text) {
  http::Response res{static_cast<http::beast_http::status>(status), req_.version()};
  res.keep_alive(req_.keep_alive());
  res.set(field::content_type, "text/plain; charset=utf-8");
  res.set(http::kRequestIdField, id_);
  res.body() = std::move(text);
  res.prepare_payload();
  responder_.send(std::move(res));
}

void Call::no_content() {
  http::Response res{http::beast_http::status::no_content, req_.version()};
  res.keep_alive(req_.keep_alive());
  res.set(http::kRequestIdField, id_);
  res.prepare_payload();
  responder_.send(std::move(res));
}

void Call::fail(const Status& st) {
  const int code = http::http_status_for(st.code());
  // An internal error's message may hold details (SQL, paths): it goes to the log, and the
  // caller gets the request id to report.
  const bool internal = code == 500;
  if (internal) {
    LOG_ERROR("api error").kv("request_id", id_).kv("error", st.message());
  }
  const std::string msg = internal ? "internal error (see the controller's log)" : st.message();
  http::Response res =
      http::make_error(static_cast<unsigned>(code), msg, id_, req_.version(), req_.keep_alive());
  if (code == 401) res.set(field::www_authenticate, "Bearer");
  responder_.send(std::move(res));
}

Result<json::object> Call::body_object() const {
  boost::system::error_code ec;
  json::value v = json::parse(req_.body(), ec);
  if (ec) return invalid_argument("the body is not valid JSON: " + ec.message());
  if (!v.is_object()) return invalid_argument("the body must be a JSON object");
  return v.as_object();
}

Result<std::string> string_member(const json::object& o, std::string_view key,
                                  std::optional<std::string> def) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) {
    if (def) return *def;
    return invalid_argument("\"" + std::string(key) + "\" is required");
  }
  if (!v->is_string()) return invalid_argument("\"" + std::string(key) + "\" must be a string");
  return std::string(v->as_string());
}

Result<Principal> authenticate_call(Users& users, const Call& call, bool admin) {
  const std::string_view auth = call.req()[field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.empty()) {
    return Status(StatusCode::kUnauthenticated,
                  "missing token: send Authorization: Bearer <token>");
  }
  if (auth.size() <= kBearer.size() ||
      !std::equal(kBearer.begin(), kBearer.end(), auth.begin(),
                  [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
    return Status(StatusCode::kUnauthenticated,
                  "unsupported Authorization scheme: send Authorization: Bearer <token>");
  }
  ASSIGN_OR_RETURN(Principal p, users.authenticate(auth.substr(kBearer.size())));
  if (admin && !p.is_admin()) {
    return Status(StatusCode::kPermissionDenied, "this needs the admin role");
  }
  return p;
}

void add_api_route(http::Router& router, Users& users, http::beast_http::verb v,
                   const char* pattern, bool admin, ApiHandler h) {
  router.add(v, pattern,
             [&users, admin, h = std::move(h)](http::Request&& req, const http::PathParams& params,
                                               http::Responder r) {
               Call call(std::move(req), std::move(r));
               auto p = authenticate_call(users, call, admin);
               if (!p.ok()) return call.fail(p.status());
               h(call, *p, params);
             });
}

}  // namespace modelhost::control

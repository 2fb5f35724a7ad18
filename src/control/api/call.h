// Internal to the controller's API: one request being answered (Call), and routes that
// authenticate their caller first. Shared by the route files of src/control/api/.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "control/auth/users.h"
#include "http/router.h"

namespace modelhost::control {

// One request: its answer carries the request id; errors are {"error", "request_id"}, and an
// internal error's details go to the log only.
class Call {
 public:
  Call(http::Request&& req, http::Responder&& responder);

  const http::Request& req() const { return req_; }
  const std::string& id() const { return id_; }

  void reply(unsigned status, const boost::json::value& body);
  void reply_text(unsigned status, std::string text);
  void no_content();
  void fail(const Status& st);

  // The JSON object in the body, or an error saying what is wrong with it.
  Result<boost::json::object> body_object() const;

 private:
  http::Request req_;
  http::Responder responder_;
  std::string id_;
};

// A string member of `o`: `def` when absent, an error when present but not a string.
Result<std::string> string_member(const boost::json::object& o, std::string_view key,
                                  std::optional<std::string> def);

// The principal of `Authorization: Bearer <token>`; `admin` routes also need the admin role.
Result<Principal> authenticate_call(Users& users, const Call& call, bool admin);

using ApiHandler = std::function<void(Call&, const Principal&, const http::PathParams&)>;

// A route whose handler runs only for an authenticated caller (an admin when `admin`).
void add_api_route(http::Router& router, Users& users, http::beast_http::verb v,
                   const char* pattern, bool admin, ApiHandler h);

}  // namespace modelhost::control

// Maps (verb, path) to a handler. Patterns are matched segment by segment: a segment is either
// literal text or `{name}`, which binds one non-empty path segment, e.g.
//
//   router.add(verb::post, "/v2/models/{model}/versions/{version}/infer", handle_infer);
//
// The query string is ignored for matching (read it with query_param()). Bound values are
// percent-decoded; a value that decodes to "." or "..", or contains '/' or NUL, or has a malformed
// %XX, is answered 400 without reaching a handler. Unknown paths get 404 {"error":"not found: <path>"};
// a known path with another verb gets 405 {"error":"Method Not Allowed"} and an Allow header.
//
// Threading: add() everything before the server starts; handle() is const and thread-safe.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/server.h"

namespace modelhost::http {

class PathParams {
 public:
  // The decoded value bound to `{name}`, or "" if the pattern has no such parameter.
  std::string_view get(std::string_view name) const;
  bool has(std::string_view name) const;
  size_t size() const { return size_; }

  static constexpr size_t kMaxParams = 8;

 private:
  friend class Router;
  std::array<std::pair<std::string_view, std::string>, kMaxParams> items_;
  size_t size_ = 0;
};

using RouteHandler = std::function<void(Request&&, const PathParams&, Responder)>;

class Router {
 public:
  // Patterns start with '/'; at most PathParams::kMaxParams parameters. Throws std::invalid_argument
  // on a malformed pattern (a programming error, found at startup).
  void add(beast_http::verb verb, std::string pattern, RouteHandler handler);

  // Dispatches to the matching route, or answers 400/404/405 as described above.
  void handle(Request&& req, Responder responder) const;

  // A Handler for Server::create that forwards to this router, which must outlive the server.
  Handler as_handler() const;

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter name
    bool is_param = false;
  };
  struct Route {
    beast_http::verb verb;
    std::string pattern;
    std::vector<Segment> segments;
    RouteHandler handler;
  };
  std::vector<Route> routes_;
};

// Decodes %XX escapes; '+' is left alone. nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

// The value of `key` in the query string of `target` ("/path?a=1&b=x%20y"), percent-decoded with
// '+' as space; "" for a key without '='; nullopt if the key is absent or its value is malformed.
std::optional<std::string> query_param(std::string_view target, std::string_view key);

// The path part of a request target (everything before '?').
std::string_view target_path(std::string_view target);

}  // namespace modelhost::http

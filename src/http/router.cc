#include "http/router.h"

#include <stdexcept>

namespace modelhost::http {
namespace {

// Longer paths cannot match any route; they are answered 404 without more work.
constexpr size_t kMaxSegments = 32;
// The path echoed in a 404 is cut to this many bytes.
constexpr size_t kMaxEchoedPath = 256;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// Splits "/a/b/c" into {"a","b","c"}; "/" gives {""}. Returns false if there are too many.
bool split_path(std::string_view path, std::array<std::string_view, kMaxSegments>& segments,
                size_t& count) {
  count = 0;
  path.remove_prefix(1);  // the leading '/'
  for (;;) {
    if (count == kMaxSegments) return false;
    const size_t slash = path.find('/');
    segments[count++] = path.substr(0, slash);
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

bool valid_param_value(std::string_view v) {
  return !v.empty() && v != "." && v != ".." && v.find('/') == std::string_view::npos &&
         v.find('\0') == std::string_view::npos;
}

}  // namespace

std::string_view PathParams::get(std::string_view name) const {
  for (size_t i = 0; i < size_; ++i) {
    if (items_[i].first == name) return items_[i].second;
  }
  return {};
}

bool PathParams::has(std::string_view name) const {
  for (size_t i = 0; i < size_; ++i) {
    if (items_[i].first == name) return true;
  }
  return false;
}

std::optional<std::string> percent_decode(std::string_view text) {
  return decode(text, /*plus_is_space=*/false);
}

std::string_view target_path(std::string_view target) {
  return target.substr(0, target.find('?'));
}

std::optional<std::string> query_param(std::string_view target, std::string_view key) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(q + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    const auto name = decode(pair.substr(0, eq), /*plus_is_space=*/true);
    if (!name || *name != key) continue;
    if (eq == std::string_view::npos) return std::string();
    return decode(pair.substr(eq + 1), /*plus_is_space=*/true);
  }
  return std::nullopt;
}

void Router::add(beast_http::verb verb, std::string pattern, RouteHandler handler) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  }
  if (!handler) throw std::invalid_argument("route without a handler: " + pattern);
  std::array<std::string_view, kMaxSegments> parts;
  size_t count = 0;
  if (!split_path(pattern, parts, count)) {
    throw std::invalid_argument("route pattern has too many segments: " + pattern);
  }
  Route route{verb, pattern, {}, std::move(handler)};
  size_t params = 0;
  for (size_t i = 0; i < count; ++i) {
    std::string_view part = parts[i];
    Segment seg;
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      seg.is_param = true;
      seg.text = std::string(part.substr(1, part.size() - 2));
      if (seg.text.empty()) throw std::invalid_argument("empty route parameter name: " + pattern);
      if (++params > PathParams::kMaxParams) {
        throw std::invalid_argument("route pattern has too many parameters: " + pattern);
      }
    } else {
      if (part.find_first_of("{}") != std::string_view::npos) {
        throw std::invalid_argument("route parameter must be a whole segment: " + pattern);
      }
      seg.text = std::string(part);
    }
    route.segments.push_back(std::move(seg));
  }
  routes_.push_back(std::move(route));
}

void Router::handle(Request&& req, Responder responder) const {
  const std::string_view path = target_path(req.target());
  std::array<std::string_view, kMaxSegments> segments;
  size_t count = 0;
  const bool splittable = !path.empty() && path.front() == '/' && split_path(path, segments, count);

  std::string allow;
  if (splittable) {
    for (const Route& route : routes_) {
      if (route.segments.size() != count) continue;
      bool match = true;
      for (size_t i = 0; i < count && match; ++i) {
        const Segment& seg = route.segments[i];
        match = seg.is_param ? !segments[i].empty() : seg.text == segments[i];
      }
      if (!match) continue;
      if (route.verb != req.method()) {
        if (!allow.empty()) allow += ", ";
        allow += std::string_view(beast_http::to_string(route.verb));
        continue;
      }
      PathParams params;
      for (size_t i = 0; i < count; ++i) {
        const Segment& seg = route.segments[i];
        if (!seg.is_param) continue;
        auto value = percent_decode(segments[i]);
        if (!value || !valid_param_value(*value)) {
          responder.send(make_error(400, "invalid path parameter \"" + seg.text + "\"", req));
          return;
        }
        params.items_[params.size_++] = {seg.text, std::move(*value)};
      }
      route.handler(std::move(req), params, std::move(responder));
      return;
    }
  }
  if (!allow.empty()) {
    Response res = make_error(405, "Method Not Allowed", req);
    res.set(beast_http::field::allow, allow);
    responder.send(std::move(res));
    return;
  }
  std::string message = "not found: ";
  if (path.size() > kMaxEchoedPath) {
    message.append(path.substr(0, kMaxEchoedPath)).append("...");
  } else {
    message.append(path);
  }
  responder.send(make_error(404, message, req));
}

Handler Router::as_handler() const {
  return [this](Request&& req, Responder responder) { handle(std::move(req), std::move(responder)); };
}

}  // namespace modelhost::http

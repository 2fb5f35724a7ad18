// See dashboard.h.
#include "control/dashboard/dashboard.h"

#include <string>

namespace modelhost::control {
namespace {

using http::beast_http::field;
using http::beast_http::verb;

std::string_view content_type(std::string_view name) {
  auto ends = [&](std::string_view ext) { return name.ends_with(ext); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  return "application/octet-stream";
}

void serve(const http::Request& req, std::string_view name, http::Responder r) {
  const EmbeddedFile* f = find_dashboard_file(name);
  if (f == nullptr) {
    r.send(http::make_error(404, "not found: " + std::string(req.target()), req));
    return;
  }
  http::Response res{http::beast_http::status::ok, req.version()};
  res.keep_alive(req.keep_alive());
  res.set(field::content_type, content_type(name));
  res.set(field::cache_control, "no-cache");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Frame-Options", "DENY");
  res.set("Content-Security-Policy",
          "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
          "form-action 'self'");
  res.body().assign(reinterpret_cast<const char*>(f->data), f->size);
  res.prepare_payload();
  r.send(std::move(res));
}

}  // namespace

const EmbeddedFile* find_dashboard_file(std::string_view name) {
  for (size_t i = 0; i < kDashboardFileCount; ++i) {
    if (name == kDashboardFiles[i].name) return &kDashboardFiles[i];
  }
  return nullptr;
}

void add_dashboard_routes(http::Router& router) {
  router.add(verb::get, "/",
             [](http::Request&& req, const http::PathParams&, http::Responder r) {
               serve(req, "index.html", std::move(r));
             });
  router.add(verb::get, "/ui/{file}",
             [](http::Request&& req, const http::PathParams& p, http::Responder r) {
               serve(req, p.get("file"), std::move(r));
             });
}

}  // namespace modelhost::control

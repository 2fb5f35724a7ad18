// The dashboard's assets (web/: HTML, CSS, JavaScript modules), embedded into the binary at build
// time and served by the controller at `/` and `/ui/<file>`, so the binary alone serves it, offline.
// The dashboard talks to the controller only through the public REST API.
#pragma once

#include <cstddef>
#include <string_view>

#include "http/router.h"

namespace modelhost::control {

struct EmbeddedFile {
  const char* name;  // relative to web/, e.g. "app.js"
  const unsigned char* data;
  size_t size;
};

extern const EmbeddedFile kDashboardFiles[];
extern const size_t kDashboardFileCount;

// The file called `name`, or nullptr.
const EmbeddedFile* find_dashboard_file(std::string_view name);

// GET / (index.html) and GET /ui/{file}, with a Content-Security-Policy that allows only this
// origin's scripts, styles and connections.
void add_dashboard_routes(http::Router& router);

}  // namespace modelhost::control

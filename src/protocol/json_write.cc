#include "protocol/json_write.h"

#include <charconv>
#include <cmath>

#include "common/text.h"

namespace modelhost::protocol {
namespace {

template <typename T>
void append_chars(std::string& out, T v) {
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

template <typename F>
void append_floating(std::string& out, F v) {
  if (std::isnan(v)) {
    out += "\"NaN\"";
  } else if (std::isinf(v)) {
    out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else if (v == 0 && std::signbit(v)) {
    out += "-0.0";
  } else {
    append_chars(out, v);
  }
}

}  // namespace

void json_append_string(std::string& out, std::string_view s) {
  out += '"';
  append_json_escaped(out, s);
  out += '"';
}

void json_append_int(std::string& out, int64_t v) { append_chars(out, v); }
void json_append_uint(std::string& out, uint64_t v) { append_chars(out, v); }
void json_append_double(std::string& out, double v) { append_floating(out, v); }
void json_append_float(std::string& out, float v) { append_floating(out, v); }
void json_append_bool(std::string& out, bool v) { out += v ? "true" : "false"; }

}  // namespace modelhost::protocol

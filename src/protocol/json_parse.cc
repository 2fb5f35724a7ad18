#include "protocol/json_parse.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_stack.hpp>
#include <charconv>
#include <string>

namespace modelhost::protocol {
namespace {

namespace json = boost::json;

// Mirrors boost::json::detail::handler (what boost::json::parser uses), except for numbers.
struct DomHandler {
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack st;
  // Number text split across buffers; empty in practice since each body is parsed in one call.
  std::string number_parts;

  DomHandler(json::storage_ptr sp, unsigned char* temp, std::size_t temp_size)
      : st(std::move(sp), temp, temp_size) {}

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return true; }
  bool on_object_end(std::size_t n, json::error_code&) {
    st.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    st.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view s, json::error_code&) {
    number_parts.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, json::string_view s, json::error_code&) {
    bool negative_zero = i == 0 && ((!number_parts.empty() && number_parts[0] == '-') ||
                                    (number_parts.empty() && !s.empty() && s[0] == '-'));
    number_parts.clear();
    if (negative_zero) {
      st.push_double(-0.0);
    } else {
      st.push_int64(i);
    }
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    number_parts.clear();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view s, json::error_code&) {
    std::string_view text(s.data(), s.size());
    if (!number_parts.empty()) {
      number_parts.append(s.data(), s.size());
      text = number_parts;
    }
    double precise = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), precise);
    // from_chars reports out-of-range for overflow/underflow; keep Boost's value (inf or 0) then.
    if (r.ec == std::errc() && r.ptr == text.data() + text.size()) d = precise;
    number_parts.clear();
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

}  // namespace

Result<json::value> parse_json(std::string_view text, int max_depth, json::storage_ptr sp,
                               std::string_view what) {
  json::parse_options opts;
  opts.max_depth = max_depth > 0 ? static_cast<std::size_t>(max_depth) : 1;
  unsigned char temp[512];
  json::basic_parser<DomHandler> parser(opts, sp, temp, sizeof temp);
  parser.handler().st.reset(std::move(sp));
  json::error_code ec;
  std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && used < text.size()) ec = json::error::extra_data;
  if (ec) {
    std::string msg(what);
    if (ec == json::error::too_deep) {
      msg += " is nested too deeply (the limit is " + std::to_string(max_depth) + " levels)";
    } else if (ec == json::error::incomplete) {
      msg += " is not valid JSON: it ends early (truncated?)";
    } else if (ec == json::error::extra_data) {
      msg += " is not valid JSON: unexpected data after the JSON value at byte " +
             std::to_string(used);
    } else {
      msg += " is not valid JSON: " + ec.message() + " near byte " + std::to_string(used);
    }
    return invalid_argument(std::move(msg));
  }
  return parser.handler().st.release();
}

std::string json_snippet(const json::value& v) {
  std::string s;
  if (v.is_double()) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v.get_double());
    s.assign(buf, r.ptr);
  } else {
    s = json::serialize(v);
  }
  constexpr size_t kMax = 40;
  if (s.size() > kMax) {
    s.resize(kMax);
    s += "...";
  }
  return s;
}

}  // namespace modelhost::protocol

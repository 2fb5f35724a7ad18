// JSON parsing for the decoders: Boost.JSON's DOM, built by a handler that reads numbers with a
// fraction or exponent with std::from_chars (correctly rounded; Boost 1.81's own conversion may
// be one ulp off, which would break FP64 round trips), and keeps "-0" as the double -0.0.
#pragma once

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <string_view>

#include "common/status.h"

namespace modelhost::protocol {

// Parses `text` as exactly one JSON document (trailing whitespace allowed, nothing else) with
// nesting at most `max_depth`, allocating the result from `sp`. Malformed or truncated JSON,
// invalid UTF-8, trailing garbage and excess depth are kInvalidArgument, the message starting
// with `what` ("request body is not valid JSON: ...").
Result<boost::json::value> parse_json(std::string_view text, int max_depth,
                                      boost::json::storage_ptr sp,
                                      std::string_view what = "request body");

// A short rendering of `v` for error messages (long strings and containers are cut).
std::string json_snippet(const boost::json::value& v);

}  // namespace modelhost::protocol

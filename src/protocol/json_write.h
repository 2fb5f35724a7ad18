// A minimal JSON writer: append-only helpers over std::string, used by every encoder in this
// folder (writing by hand is several times faster than building a boost::json::value first).
//
// Non-finite floating-point numbers are written as the JSON strings "NaN", "Infinity" and
// "-Infinity" (JSON has no literal for them); the decoders accept the same strings back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace modelhost::protocol {

// Appends `s` as a quoted JSON string. Control characters, '"' and '\' are escaped; bytes that
// are not valid UTF-8 are replaced with U+FFFD so the output is always valid JSON.
void json_append_string(std::string& out, std::string_view s);

void json_append_int(std::string& out, int64_t v);
void json_append_uint(std::string& out, uint64_t v);
// Shortest text that reads back to the same value (std::to_chars). A float is printed as a float
// ("0.1", not "0.10000000149011612"). -0 is written "-0.0" so that JSON readers keep the sign.
void json_append_double(std::string& out, double v);
void json_append_float(std::string& out, float v);
void json_append_bool(std::string& out, bool v);

}  // namespace modelhost::protocol

// Small text utilities shared by the HTTP layer, the protocol codecs and logging.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace modelhost {

// Case-insensitive equality of ASCII strings.
bool ascii_iequals(std::string_view a, std::string_view b);

// Length of the valid UTF-8 sequence starting at s[i], or 0 if the bytes there are not one
// (overlong forms, surrogates and code points above U+10FFFF count as invalid).
size_t utf8_sequence_length(std::string_view s, size_t i);

// Appends `text` escaped for the inside of a JSON string (no surrounding quotes): quotes,
// backslashes and control characters are escaped; invalid UTF-8 becomes U+FFFD, so the result is
// always valid JSON whatever bytes a client sent.
void append_json_escaped(std::string& out, std::string_view text);

// Whether `name` may name a model, user, tier, token or node: 1 to 64 of A-Z a-z 0-9 . _ -, and
// not "." or "..". Such names go into URLs and logs; none ever becomes a server path.
bool is_valid_name(std::string_view name);

// A quantity for a message, in its shortest usual form: "0.5", "12", "1e+10".
std::string format_number(double v);

}  // namespace modelhost

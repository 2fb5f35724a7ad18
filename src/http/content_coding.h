// Request body content codings (RFC 9110 section 8.4): gzip and deflate are decoded with zlib, with the
// decoded size capped so that a small compressed body cannot expand past the body limit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace modelhost::http {

enum class ContentCoding { kIdentity, kGzip, kDeflate, kUnsupported };

// Parses a Content-Encoding header value. "identity" and an empty value are kIdentity; a list with
// more than one real coding, or any coding other than gzip/x-gzip/deflate, is kUnsupported.
ContentCoding parse_content_coding(std::string_view header_value);

enum class DecodeError { kNone, kTooLarge, kCorrupt };

// Decodes `in` into `out` (replaced). Stops with kTooLarge as soon as the output would exceed
// `max_out` bytes, so memory stays bounded by the limit. "deflate" accepts both the zlib wrapper
// (RFC 1950, what the standard means) and raw deflate (what some clients send). A gzip body may hold
// several members one after another.
DecodeError decode_body(ContentCoding coding, std::string_view in, uint64_t max_out,
                        std::string& out);

}  // namespace modelhost::http

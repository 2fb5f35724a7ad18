#include "http/content_coding.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

#include "common/text.h"

namespace modelhost::http {
namespace {


std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

constexpr int kGzipWindowBits = 16 + MAX_WBITS;
constexpr int kZlibWindowBits = MAX_WBITS;
constexpr int kRawDeflateWindowBits = -MAX_WBITS;

class Inflater {
 public:
  explicit Inflater(int window_bits) { ok_ = inflateInit2(&zs_, window_bits) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&zs_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  bool ok() const { return ok_; }
  z_stream& stream() { return zs_; }

 private:
  z_stream zs_{};
  bool ok_ = false;
};

enum class RunResult { kDone, kTooLarge, kCorrupt, kNotZlib };

// One pass over `in` with the given window bits. kNotZlib means the very first bytes were rejected,
// which for "deflate" means the client sent raw deflate without the zlib wrapper.
RunResult inflate_all(int window_bits, bool allow_members, std::string_view in, uint64_t max_out,
                      std::string& out) {
  Inflater inflater(window_bits);
  if (!inflater.ok()) return RunResult::kCorrupt;
  z_stream& zs = inflater.stream();

  // One byte past the limit tells "exactly at the limit" from "over it".
  const uint64_t hard_cap =
      std::min<uint64_t>(max_out, std::numeric_limits<size_t>::max() - 1) + 1;
  uint64_t initial = std::max<uint64_t>(4096, static_cast<uint64_t>(in.size()) * 4);
  out.resize(static_cast<size_t>(std::min(initial, hard_cap)));

  size_t consumed = 0;
  size_t produced = 0;
  constexpr size_t kMaxChunk = size_t{1} << 30;  // avail_in/avail_out are 32-bit
  for (;;) {
    if (produced == out.size()) {
      if (out.size() >= hard_cap) return RunResult::kTooLarge;
      out.resize(static_cast<size_t>(std::min<uint64_t>(hard_cap, uint64_t{out.size()} * 2)));
    }
    const size_t in_chunk = std::min(in.size() - consumed, kMaxChunk);
    const size_t out_chunk = std::min(out.size() - produced, kMaxChunk);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + consumed));
    zs.avail_in = static_cast<uInt>(in_chunk);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(out_chunk);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    consumed += in_chunk - zs.avail_in;
    produced += out_chunk - zs.avail_out;
    if (produced >= hard_cap) return RunResult::kTooLarge;
    if (rc == Z_STREAM_END) {
      if (consumed == in.size()) break;
      if (!allow_members) return RunResult::kCorrupt;  // trailing bytes after the stream
      if (inflateReset(&zs) != Z_OK) return RunResult::kCorrupt;
      continue;
    }
    if (rc == Z_DATA_ERROR && consumed <= 2 && produced == 0) return RunResult::kNotZlib;
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && zs.avail_out == 0) continue;  // needs more output room
    // Z_BUF_ERROR with output room left means the input ended mid-stream (truncated body).
    return RunResult::kCorrupt;
  }
  out.resize(produced);
  return RunResult::kDone;
}

}  // namespace

ContentCoding parse_content_coding(std::string_view header_value) {
  ContentCoding result = ContentCoding::kIdentity;
  while (!header_value.empty()) {
    const size_t comma = header_value.find(',');
    std::string_view token = trim(header_value.substr(0, comma));
    header_value = comma == std::string_view::npos ? std::string_view() : header_value.substr(comma + 1);
    if (token.empty() || ascii_iequals(token, "identity")) continue;
    ContentCoding coding;
    if (ascii_iequals(token, "gzip") || ascii_iequals(token, "x-gzip")) {
      coding = ContentCoding::kGzip;
    } else if (ascii_iequals(token, "deflate")) {
      coding = ContentCoding::kDeflate;
    } else {
      return ContentCoding::kUnsupported;
    }
    if (result != ContentCoding::kIdentity) return ContentCoding::kUnsupported;  // stacked codings
    result = coding;
  }
  return result;
}

DecodeError decode_body(ContentCoding coding, std::string_view in, uint64_t max_out,
                        std::string& out) {
  RunResult r;
  if (in.empty() && coding != ContentCoding::kUnsupported) {
    out.clear();
    return DecodeError::kNone;
  }
  switch (coding) {
    case ContentCoding::kIdentity:
      if (in.size() > max_out) return DecodeError::kTooLarge;
      out.assign(in);
      return DecodeError::kNone;
    case ContentCoding::kGzip:
      r = inflate_all(kGzipWindowBits, /*allow_members=*/true, in, max_out, out);
      break;
    case ContentCoding::kDeflate:
      r = inflate_all(kZlibWindowBits, /*allow_members=*/false, in, max_out, out);
      if (r == RunResult::kNotZlib) {
        r = inflate_all(kRawDeflateWindowBits, /*allow_members=*/false, in, max_out, out);
      }
      break;
    default:
      return DecodeError::kCorrupt;
  }
  switch (r) {
    case RunResult::kDone: return DecodeError::kNone;
    case RunResult::kTooLarge: return DecodeError::kTooLarge;
    default: return DecodeError::kCorrupt;
  }
}

}  // namespace modelhost::http

#include "common/ids.h"

#include <sys/random.h>

#include <random>
#include <stdexcept>
#include <vector>

namespace modelhost {
namespace {

void append_hex(std::string& out, const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xf];
  }
}

}  // namespace

std::string new_id(std::string_view prefix) {
  thread_local std::mt19937_64 gen([] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }());
  uint64_t v = gen();
  unsigned char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(v >> (8 * (7 - i)));
  std::string out(prefix);
  out.reserve(prefix.size() + 16);
  append_hex(out, bytes, 8);
  return out;
}

std::string random_hex(int bits) {
  std::vector<unsigned char> bytes(static_cast<size_t>(bits / 8));
  size_t filled = 0;
  while (filled < bytes.size()) {
    ssize_t n = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (n < 0) throw std::runtime_error("getrandom failed");
    filled += static_cast<size_t>(n);
  }
  std::string out;
  append_hex(out, bytes.data(), bytes.size());
  return out;
}

}  // namespace modelhost

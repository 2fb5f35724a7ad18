#include "engine/ir/narrow_types.h"

#include <bit>
#include <cmath>
#include <limits>

namespace modelhost::engine {
namespace {

// How a format spends its top codes.
enum class Special {
  kFiniteNaN,     // no infinity; all-ones exponent and mantissa is NaN (e4m3fn)
  kUnsignedZero,  // no infinity, no -0; the "negative zero" code 0x80 is the only NaN (fnuz)
  kIeee,          // all-ones exponent: infinity (mantissa 0) or NaN (e5m2)
  kNone,          // no infinity, no NaN (float4e2m1)
};

struct Format {
  int man_bits;
  int bias;
  uint8_t sign_bit;
  uint8_t max_code;  // largest finite magnitude
  Special special;
};

constexpr Format kE4M3FN{3, 7, 0x80, 0x7E, Special::kFiniteNaN};
constexpr Format kE4M3FNUZ{3, 8, 0x80, 0x7F, Special::kUnsignedZero};
constexpr Format kE5M2{2, 15, 0x80, 0x7B, Special::kIeee};
constexpr Format kE5M2FNUZ{2, 16, 0x80, 0x7F, Special::kUnsignedZero};
constexpr Format kE2M1{1, 1, 0x08, 0x07, Special::kNone};

const Format* format_of(DataType dt) {
  switch (dt) {
    case DataType::kFloat8E4M3FN:
      return &kE4M3FN;
    case DataType::kFloat8E4M3FNUZ:
      return &kE4M3FNUZ;
    case DataType::kFloat8E5M2:
      return &kE5M2;
    case DataType::kFloat8E5M2FNUZ:
      return &kE5M2FNUZ;
    case DataType::kFloat4E2M1:
      return &kE2M1;
    default:
      return nullptr;
  }
}

float decode(const Format& f, uint8_t code) {
  constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
  const bool negative = (code & f.sign_bit) != 0;
  const int mag = code & (f.sign_bit - 1);
  const int exp = mag >> f.man_bits;
  const int man = mag & ((1 << f.man_bits) - 1);
  switch (f.special) {
    case Special::kFiniteNaN:
      if (mag == f.sign_bit - 1) return kNaN;
      break;
    case Special::kUnsignedZero:
      if (code == f.sign_bit) return kNaN;
      break;
    case Special::kIeee:
      if (exp == (f.sign_bit - 1) >> f.man_bits) {
        if (man != 0) return kNaN;
        return negative ? -std::numeric_limits<float>::infinity()
                        : std::numeric_limits<float>::infinity();
      }
      break;
    case Special::kNone:
      break;
  }
  const float v =
      exp == 0 ? std::ldexp(static_cast<float>(man), 1 - f.bias - f.man_bits)
               : std::ldexp(static_cast<float>((1 << f.man_bits) + man), exp - f.bias - f.man_bits);
  return negative ? -v : v;
}

// The code of a value too large for the format (or infinite).
uint8_t overflow_code(const Format& f, bool negative, bool saturate) {
  const uint8_t sign = negative ? f.sign_bit : 0;
  if (saturate || f.special == Special::kNone) return f.max_code | sign;
  switch (f.special) {
    case Special::kIeee:
      return static_cast<uint8_t>((f.max_code + 1) | sign);  // infinity
    case Special::kFiniteNaN:
      return static_cast<uint8_t>((f.sign_bit - 1) | sign);
    default:
      return f.sign_bit;  // the fnuz NaN
  }
}

uint8_t encode(const Format& f, float v, bool saturate) {
  const bool negative = std::signbit(v);
  if (std::isnan(v)) {
    switch (f.special) {
      case Special::kFiniteNaN:
        return static_cast<uint8_t>(f.sign_bit - 1);
      case Special::kIeee:
        return static_cast<uint8_t>(f.max_code + 3);  // quiet NaN
      default:
        return f.sign_bit;  // fnuz NaN; float4e2m1 has none and takes -0
    }
  }
  const float a = std::fabs(v);
  if (std::isinf(a)) return overflow_code(f, negative, saturate);
  // Codes of non-negative values are monotonic in the value, so a rounding carry out of the
  // subnormals or out of a binade lands on the right code by plain addition.
  const int min_exp = 1 - f.bias;  // exponent of the smallest normal
  int64_t code;
  if (a < std::ldexp(1.0f, min_exp)) {
    code = static_cast<int64_t>(std::nearbyint(std::ldexp(a, f.man_bits - min_exp)));
  } else {
    int e;
    std::frexp(a, &e);
    const int exp = e - 1;  // a = 1.m * 2^exp
    const auto q = static_cast<int64_t>(std::nearbyint(std::ldexp(a, f.man_bits - exp)));
    code = (static_cast<int64_t>(exp + f.bias) << f.man_bits) + q - (int64_t{1} << f.man_bits);
  }
  if (code > f.max_code) return overflow_code(f, negative, saturate);
  if (!negative || (f.special == Special::kUnsignedZero && code == 0)) {
    return static_cast<uint8_t>(code);
  }
  return static_cast<uint8_t>(code | f.sign_bit);
}

uint8_t encode_e8m0(float v, bool saturate, E8M0Rounding rounding) {
  const uint32_t bits = std::bit_cast<uint32_t>(v);
  uint32_t exp = (bits >> 23) & 0xFF;
  if (exp == 0xFF) return 0xFF;  // NaN and infinities
  bool up = false;
  switch (rounding) {
    case E8M0Rounding::kUp:
      up = (bits & 0x7FFFFF) != 0;
      break;
    case E8M0Rounding::kNearest: {
      const bool guard = (bits & 0x400000) != 0;
      const bool rest = (bits & 0x3FFFFF) != 0;
      up = guard && (rest || exp > 0);
      break;
    }
    case E8M0Rounding::kDown:
      break;
  }
  if (up && !(saturate && exp == 0xFE)) ++exp;
  return static_cast<uint8_t>(exp);
}

}  // namespace

bool dtype_is_narrow_float(DataType dt) {
  return format_of(dt) != nullptr || dt == DataType::kFloat8E8M0;
}

float narrow_to_float(DataType dt, uint8_t code) {
  if (dt == DataType::kFloat8E8M0) {
    return code == 0xFF ? std::numeric_limits<float>::quiet_NaN()
                        : std::ldexp(1.0f, static_cast<int>(code) - 127);
  }
  const Format* f = format_of(dt);
  return f ? decode(*f, code) : std::numeric_limits<float>::quiet_NaN();
}

void narrow_to_float(DataType dt, std::span<const uint8_t> codes, float* out) {
  for (size_t i = 0; i < codes.size(); ++i) out[i] = narrow_to_float(dt, codes[i]);
}

uint8_t float_to_narrow(DataType dt, float v, bool saturate, E8M0Rounding rounding) {
  if (dt == DataType::kFloat8E8M0) return encode_e8m0(v, saturate, rounding);
  const Format* f = format_of(dt);
  return f ? encode(*f, v, saturate) : 0;
}

void unpack_4bit(DataType dt, std::span<const uint8_t> packed, uint8_t* out, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const uint8_t nibble = (packed[i / 2] >> (4 * (i % 2))) & 0xF;
    out[i] = dt == DataType::kInt4 ? static_cast<uint8_t>(wrap_int4(nibble)) : nibble;
  }
}

void pack_4bit(std::span<const uint8_t> elements, uint8_t* out) {
  for (size_t i = 0; i < elements.size(); i += 2) {
    const uint8_t lo = elements[i] & 0xF;
    const uint8_t hi = i + 1 < elements.size() ? elements[i + 1] & 0xF : 0;
    out[i / 2] = static_cast<uint8_t>(lo | (hi << 4));
  }
}

}  // namespace modelhost::engine

// The narrow element types: 8-bit floats (float8e4m3fn, float8e4m3fnuz, float8e5m2,
// float8e5m2fnuz, the exponent-only float8e8m0), float4e2m1, int4 and uint4.
//
// The engine computes nothing in these types; it converts them to and from float32 (Cast,
// QuantizeLinear, DequantizeLinear) and unpacks the 4-bit ones from files. Conversions follow
// the ONNX specification:
//   - float -> float8 / float4 rounds to nearest, ties to even. Out of range with `saturate`
//     clamps to the largest finite value (infinities included); without it the value becomes
//     infinity where the format has one (e5m2) and NaN elsewhere. float4e2m1 has neither, so
//     it always saturates, and NaN becomes -0 (its code 0x8).
//   - The "fnuz" formats have no negative zero: -0 becomes +0 and their only NaN is 0x80.
//   - float -> float8e8m0 (a power of two, 2^(code-127); 0xFF is NaN) rounds the exponent up
//     when the value has a fraction ("up", the default), to nearest or down per `round_mode`.
//   - integer -> int4 / uint4 wraps modulo 16 like any integer narrowing; QuantizeLinear
//     saturates on its own before storing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/ir/data_type.h"

namespace modelhost::engine {

// True for the 8-bit floats and float4e2m1: the types decoded through float32.
bool dtype_is_narrow_float(DataType dt);

enum class E8M0Rounding { kUp, kNearest, kDown };

// The float32 value of one element code of a narrow float type.
float narrow_to_float(DataType dt, uint8_t code);
// out[i] = narrow_to_float(dt, codes[i]) for every code.
void narrow_to_float(DataType dt, std::span<const uint8_t> codes, float* out);
// One float32 converted to a narrow float type's code (see the rules above).
uint8_t float_to_narrow(DataType dt, float v, bool saturate,
                        E8M0Rounding rounding = E8M0Rounding::kUp);

// An integer narrowed to 4 bits, modulo 16: int4 in -8..7, uint4 in 0..15.
inline int8_t wrap_int4(int64_t v) {
  const int8_t low = static_cast<int8_t>(v & 0xF);
  return static_cast<int8_t>(low >= 8 ? low - 16 : low);
}
inline uint8_t wrap_uint4(int64_t v) { return static_cast<uint8_t>(v & 0xF); }

// Unpacks `count` 4-bit elements of `dt` (two to a byte, low nibble first) into one byte each:
// int4 sign-extended, uint4 and float4e2m1 as their 4-bit values. `packed` holds
// (count + 1) / 2 bytes.
void unpack_4bit(DataType dt, std::span<const uint8_t> packed, uint8_t* out, size_t count);
// The reverse: one byte per element in, two per byte out (the last high nibble 0 when odd).
void pack_4bit(std::span<const uint8_t> elements, uint8_t* out);

}  // namespace modelhost::engine

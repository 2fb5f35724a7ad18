// Helpers for the integer-quantized ops (QLinearMatMul, QLinearConv): int8 / uint8 tensors widened
// to int32, scales of any float dtype, and requantization of an int32 accumulator.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/cpu/pool_util.h"
#include "engine/cpu/unary.h"
#include "engine/ir/tensor.h"

namespace modelhost::engine::cpu {

// The values of an int8 / uint8 tensor as int32.
inline std::vector<int32_t> widen_quantized(const Tensor& t) {
  std::vector<int32_t> v(static_cast<size_t>(t.num_elements()));
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = t.dtype() == DataType::kInt8 ? t.data<int8_t>()[i] : t.data<uint8_t>()[i];
  }
  return v;
}

// A scale tensor's values as float (float32, float16 or bfloat16).
inline Result<std::vector<float>> read_scales(const Tensor& t, const char* what) {
  std::vector<float> v(static_cast<size_t>(t.num_elements()));
  for (size_t i = 0; i < v.size(); ++i) {
    switch (t.dtype()) {
      case DataType::kFloat32:
        v[i] = t.data<float>()[i];
        break;
      case DataType::kFloat16:
        v[i] = half_bits_to_float(t.data<uint16_t>()[i]);
        break;
      case DataType::kBFloat16:
        v[i] = bf16_bits_to_float(t.data<uint16_t>()[i]);
        break;
      default:
        return invalid_argument(std::string(what) + " has dtype " +
                                std::string(dtype_name(t.dtype())) +
                                "; expected float32, float16 or bfloat16");
    }
  }
  return v;
}

// `v` rounded to the precision of the scales' dtype, as the product of two scales of that dtype
// would be.
inline float round_to_scale_dtype(float v, DataType scale_dtype) {
  switch (scale_dtype) {
    case DataType::kFloat16:
      return half_bits_to_float(float_to_half_bits(v));
    case DataType::kBFloat16:
      return bf16_bits_to_float(float_to_bf16_bits(v));
    default:
      return v;
  }
}

// A per-tensor (one value) or per-index (`len` values) parameter expanded to `len` values.
template <typename T>
Result<std::vector<T>> expand_param(const std::vector<T>& v, int64_t len, const char* what) {
  if (v.size() == 1) return std::vector<T>(static_cast<size_t>(len), v[0]);
  if (static_cast<int64_t>(v.size()) == len) return v;
  return invalid_argument(std::string(what) + " must hold 1 or " + std::to_string(len) +
                          " values, got " + std::to_string(v.size()));
}

// round_half_even(acc * multiplier + zero_point) saturated to int8 or uint8 (computed in double).
inline int32_t requantize(int64_t acc, double multiplier, int32_t zero_point, DataType out) {
  const double v = std::nearbyint(static_cast<double>(acc) * multiplier + zero_point);
  const double lo = out == DataType::kInt8 ? -128.0 : 0.0;
  const double hi = out == DataType::kInt8 ? 127.0 : 255.0;
  return static_cast<int32_t>(std::clamp(v, lo, hi));
}

// The integer convolution sum at output position (o0, o1, o2) over the `cg` input channels of
// one group (ConvInteger, QLinearConv): sum of (x - xzp) * (w - wzp) over the window. x_group
// points at the group's first channel plane (`in_plane` values each), w_oc at the output
// channel's first kernel plane (`k_plane` values each). Padding holds the zero point, so it
// contributes (xzp - xzp) = 0 and is skipped.
inline int64_t int_conv_position(const Geometry3& g, const int32_t* x_group, int64_t in_plane,
                                 const int32_t* w_oc, int64_t k_plane, int64_t cg, int32_t xzp,
                                 int32_t zw, int64_t o0, int64_t o1, int64_t o2) {
  int64_t acc = 0;
  for (int64_t ic = 0; ic < cg; ++ic) {
    const int32_t* xp = x_group + ic * in_plane;
    const int32_t* wp = w_oc + ic * k_plane;
    for (int64_t k0 = 0; k0 < g.kernel[0]; ++k0) {
      const int64_t i0 = o0 * g.stride[0] - g.pad_begin[0] + k0 * g.dilation[0];
      if (i0 < 0 || i0 >= g.in[0]) continue;
      for (int64_t k1 = 0; k1 < g.kernel[1]; ++k1) {
        const int64_t i1 = o1 * g.stride[1] - g.pad_begin[1] + k1 * g.dilation[1];
        if (i1 < 0 || i1 >= g.in[1]) continue;
        for (int64_t k2 = 0; k2 < g.kernel[2]; ++k2) {
          const int64_t i2 = o2 * g.stride[2] - g.pad_begin[2] + k2 * g.dilation[2];
          if (i2 < 0 || i2 >= g.in[2]) continue;
          acc += static_cast<int64_t>(xp[(i0 * g.in[1] + i1) * g.in[2] + i2] - xzp) *
                 (wp[(k0 * g.kernel[1] + k1) * g.kernel[2] + k2] - zw);
        }
      }
    }
  }
  return acc;
}

}  // namespace modelhost::engine::cpu

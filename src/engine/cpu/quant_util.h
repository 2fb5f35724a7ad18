// Helpers for the integer-quantized ops (QLinearMatMul, QLinearConv, ConvInteger, ...): int8 /
// uint8 tensors widened to int32, scales of any float dtype, requantization of an int32
// accumulator, and the attributes, shapes and loop of the integer convolutions.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/cpu/pool_util.h"
#include "engine/cpu/unary.h"
#include "engine/exec/kernel.h"
#include "engine/ir/graph.h"
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

// The attributes ConvInteger and QLinearConv take, as Conv: auto_pad, dilations, group,
// kernel_shape, pads, strides.
struct IntConvAttrs {
  WindowAttrs window;
  int64_t group = 1;
};

inline Result<IntConvAttrs> parse_int_conv_attrs(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_attributes(
      node, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}));
  IntConvAttrs a;
  ASSIGN_OR_RETURN(a.window, parse_window_attrs(node, false));
  ASSIGN_OR_RETURN(a.group, node.attributes.get_int("group", 1));
  if (a.group < 1) return invalid_argument("group must be >= 1, got " + std::to_string(a.group));
  return a;
}

// The shapes of an integer convolution: X [N, C, spatial...] and W [M, C / group, kernel...]
// checked against each other and kernel_shape, the window geometry, and Y's shape
// [N, M, out...]. `x_name` and `w_name` spell the inputs as the op's errors do.
struct IntConvShape {
  int64_t n = 0, c = 0, m = 0;
  Geometry3 g;
  Shape y_shape;
};

inline Result<IntConvShape> resolve_int_conv(const IntConvAttrs& attrs, const Tensor& x,
                                             const Tensor& w, const std::string& x_name,
                                             const std::string& w_name) {
  if (x.rank() < 3 || w.rank() != x.rank()) {
    return invalid_argument(x_name + " " + shape_to_string(x.shape()) + " and " + w_name + " " +
                            shape_to_string(w.shape()) +
                            " must be [N, C, spatial...] and [M, C / group, kernel...]");
  }
  IntConvShape s;
  s.n = x.shape()[0];
  s.c = x.shape()[1];
  s.m = w.shape()[0];
  const int64_t group = attrs.group;
  if (s.c % group != 0 || s.m % group != 0 || w.shape()[1] != s.c / group) {
    return invalid_argument(w_name + " " + shape_to_string(w.shape()) + " does not match " +
                            std::to_string(s.c) + " input channels in " + std::to_string(group) +
                            " groups");
  }
  const std::vector<int64_t> in_spatial(x.shape().begin() + 2, x.shape().end());
  const std::vector<int64_t> kernel(w.shape().begin() + 2, w.shape().end());
  if (!attrs.window.kernel.empty() && attrs.window.kernel != kernel) {
    return invalid_argument("kernel_shape " + shape_to_string(attrs.window.kernel) +
                            " differs from " + w_name + "'s " + shape_to_string(kernel));
  }
  ASSIGN_OR_RETURN(s.g, resolve_geometry(attrs.window, in_spatial, kernel));
  s.y_shape = {s.n, s.m};
  for (int64_t d : s.g.out_dims()) s.y_shape.push_back(d);
  RETURN_IF_ERROR(checked_num_elements(s.y_shape, sizeof(int32_t)).status());
  return s;
}

// Calls store(index, oc, acc) for every element of Y, parallel over (batch, output channel):
// `index` is the element's flat index in Y, `oc` its output channel and `acc` the sum of
// (x - xzp) * (w - wzp[oc]) over its window. xv and wv are X and W widened (widen_quantized).
template <typename Store>
void for_each_int_conv_output(const IntConvShape& s, int64_t group, const std::vector<int32_t>& xv,
                              const std::vector<int32_t>& wv, int32_t xzp,
                              const std::vector<int32_t>& wzp, const exec::KernelContext& ctx,
                              const Store& store) {
  const Geometry3& g = s.g;
  const int64_t cg = s.c / group, mg = s.m / group;
  const int64_t in_plane = g.in[0] * g.in[1] * g.in[2];
  const int64_t out_plane = g.out[0] * g.out[1] * g.out[2];
  const int64_t k_plane = g.kernel[0] * g.kernel[1] * g.kernel[2];
  exec::parallel_for(ctx, s.n * s.m, 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / s.m, oc = r % s.m, grp = oc / mg;
      const int32_t* x_group = xv.data() + (b * s.c + grp * cg) * in_plane;
      const int32_t* w_oc = wv.data() + oc * cg * k_plane;
      const int32_t zw = wzp[static_cast<size_t>(oc)];
      for (int64_t o0 = 0; o0 < g.out[0]; ++o0) {
        for (int64_t o1 = 0; o1 < g.out[1]; ++o1) {
          for (int64_t o2 = 0; o2 < g.out[2]; ++o2) {
            const int64_t acc =
                int_conv_position(g, x_group, in_plane, w_oc, k_plane, cg, xzp, zw, o0, o1, o2);
            store(r * out_plane + (o0 * g.out[1] + o1) * g.out[2] + o2, oc, acc);
          }
        }
      }
    }
  });
}

}  // namespace modelhost::engine::cpu

// Helpers for the shape and data-movement kernels (Gather, Slice, Pad, Scatter*, ...): reading
// int tensors that carry axes/indices, bounds-checked index normalization, byte-wise element
// moves that serve every dtype, and a typed visitor for the few ops that do arithmetic.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/exec/kernel.h"
#include "engine/ir/tensor.h"

namespace modelhost::engine::cpu {

// The values of an int32 or int64 tensor (any rank) as int64.
inline Result<std::vector<int64_t>> read_int_tensor(const Tensor& t, size_t input_index,
                                                    std::string_view op) {
  RETURN_IF_ERROR(exec::check_dtype(t, input_index, op, {DataType::kInt64, DataType::kInt32}));
  std::vector<int64_t> v(static_cast<size_t>(t.num_elements()));
  if (t.dtype() == DataType::kInt64) {
    for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<int64_t>()[i];
  } else {
    for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<int32_t>()[i];
  }
  return v;
}

// The single value of a one-element int32/int64 tensor.
inline Result<int64_t> read_int_scalar(const Tensor& t, size_t input_index, std::string_view op) {
  ASSIGN_OR_RETURN(std::vector<int64_t> v, read_int_tensor(t, input_index, op));
  if (v.size() != 1) {
    return invalid_argument("input " + std::to_string(input_index) + " must hold one value, got " +
                            shape_to_string(t.shape()));
  }
  return v[0];
}

// Row-major element strides of `shape`.
inline std::vector<int64_t> strides_of(const Shape& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) s[d - 1] = s[d] * shape[d];
  return s;
}

inline int64_t product(const Shape& shape, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t d = begin; d < end && d < shape.size(); ++d) p *= shape[d];
  return p;
}

// An index into a dim of size `dim`, negative counting from the end; an error when out of range.
inline Result<int64_t> normalize_index(int64_t index, int64_t dim) {
  const int64_t i = index < 0 ? index + dim : index;
  if (i < 0 || i >= dim) {
    return invalid_argument("index " + std::to_string(index) + " is out of range for a dim of " +
                            std::to_string(dim));
  }
  return i;
}

// Normalized axes (negative count from the end), each in range and none repeated.
inline Result<std::vector<int64_t>> normalize_axes(const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> out;
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t a : axes) {
    ASSIGN_OR_RETURN(int64_t n, exec::normalize_axis(a, rank));
    if (seen[static_cast<size_t>(n)]) {
      return invalid_argument("axes " + shape_to_string(axes) + " repeat axis " +
                              std::to_string(n));
    }
    seen[static_cast<size_t>(n)] = true;
    out.push_back(n);
  }
  return out;
}

// A zero-filled tensor of a shape that came from request or model data.
inline Result<Tensor> allocate_checked(DataType dtype, const Shape& shape) {
  RETURN_IF_ERROR(checked_num_elements(shape, dtype_size(dtype)).status());
  return Tensor::allocate(dtype, shape);
}

inline void copy_elem(uint8_t* dst, const uint8_t* src, size_t elem) {
  switch (elem) {
    case 1:
      *dst = *src;
      break;
    case 2:
      std::memcpy(dst, src, 2);
      break;
    case 4:
      std::memcpy(dst, src, 4);
      break;
    case 8:
      std::memcpy(dst, src, 8);
      break;
    default:
      std::memcpy(dst, src, elem);
  }
}

// dst[o] = src[sum_d coord_d(o) * in_strides[d]] over every index o of `out_shape`, where
// coord_d(o) = maps[d][o_d]; a coordinate of -1 writes `fill` (elem bytes, may be null when no
// map holds -1). Serves Slice, Pad, Tile, Expand: each describes its dims as coordinate maps.
inline void map_copy(const uint8_t* src, const std::vector<int64_t>& in_strides,
                     const std::vector<std::vector<int64_t>>& maps, const Shape& out_shape,
                     uint8_t* dst, size_t elem, const uint8_t* fill) {
  const size_t rank = out_shape.size();
  int64_t total = 1;
  for (int64_t d : out_shape) total *= d;
  if (total == 0) return;
  if (rank == 0) {
    copy_elem(dst, src, elem);
    return;
  }
  std::vector<int64_t> idx(rank, 0);
  for (int64_t o = 0; o < total; ++o) {
    int64_t off = 0;
    bool filled = false;
    for (size_t d = 0; d < rank; ++d) {
      const int64_t c = maps[d][static_cast<size_t>(idx[d])];
      if (c < 0) {
        filled = true;
        break;
      }
      off += c * in_strides[d];
    }
    copy_elem(dst + static_cast<size_t>(o) * elem,
              filled ? fill : src + static_cast<size_t>(off) * elem, elem);
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
}

// dst[o] = src[sum_d o_d * in_strides[d]] (strides in elements, may be 0): permutations as views.
inline void strided_copy(const uint8_t* src, const std::vector<int64_t>& in_strides,
                         const Shape& out_shape, uint8_t* dst, size_t elem) {
  std::vector<std::vector<int64_t>> maps(out_shape.size());
  for (size_t d = 0; d < out_shape.size(); ++d) {
    maps[d].resize(static_cast<size_t>(out_shape[d]));
    for (int64_t i = 0; i < out_shape[d]; ++i) maps[d][static_cast<size_t>(i)] = i;
  }
  map_copy(src, in_strides, maps, out_shape, dst, elem, nullptr);
}

// ---- typed access for the ops that compute (CumSum, Range, scatter reductions, ...) ----

inline float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {
      exp = 127 - 15 + 1;
      while ((mant & 0x400) == 0) {
        mant <<= 1;
        --exp;
      }
      bits = sign | (exp << 23) | ((mant & 0x3ff) << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

inline uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  const uint32_t ax = x & 0x7fffffffu;
  if (ax >= 0x7f800000u) return sign | 0x7c00 | (ax > 0x7f800000u ? 0x200 : 0);
  if (ax >= 0x477ff000u) return sign | 0x7c00;  // rounds to infinity
  if (ax < 0x38800000u) {                       // subnormal or zero
    if (ax < 0x33000000u) return sign;
    const uint32_t e = ax >> 23, m = (ax & 0x7fffff) | 0x800000;
    const uint32_t total_shift = 126 - e;  // 14..24: units of 2^-24
    uint32_t r = m >> total_shift;
    const uint32_t rem = m & ((1u << total_shift) - 1), half = 1u << (total_shift - 1);
    if (rem > half || (rem == half && (r & 1))) ++r;
    return static_cast<uint16_t>(sign | r);
  }
  uint32_t r = ((ax >> 13) - ((127 - 15) << 10));
  const uint32_t rem = ax & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (r & 1))) ++r;
  return static_cast<uint16_t>(sign | r);
}

inline float bf16_to_float(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

inline uint16_t float_to_bf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40);
  x += 0x7fff + ((x >> 16) & 1);
  return static_cast<uint16_t>(x >> 16);
}

struct Float16Tag {};
struct BFloat16Tag {};

// Num<T>: Storage is the element as stored, Acc the type arithmetic is done in.
template <typename T>
struct Num {
  using Storage = T;
  using Acc = T;
  static Acc load(Storage v) { return v; }
  static Storage store(Acc v) { return v; }
};
template <>
struct Num<Float16Tag> {
  using Storage = uint16_t;
  using Acc = float;
  static Acc load(Storage v) { return half_to_float(v); }
  static Storage store(Acc v) { return float_to_half(v); }
};
template <>
struct Num<BFloat16Tag> {
  using Storage = uint16_t;
  using Acc = float;
  static Acc load(Storage v) { return bf16_to_float(v); }
  static Storage store(Acc v) { return float_to_bf16(v); }
};

// Calls f.template operator()<Num<T>>() for the dtype's T (bool included).
template <typename F>
Status visit_numeric(DataType dt, F&& f) {
  switch (dt) {
    case DataType::kFloat32:
      return f.template operator()<Num<float>>();
    case DataType::kFloat64:
      return f.template operator()<Num<double>>();
    case DataType::kFloat16:
      return f.template operator()<Num<Float16Tag>>();
    case DataType::kBFloat16:
      return f.template operator()<Num<BFloat16Tag>>();
    case DataType::kInt8:
      return f.template operator()<Num<int8_t>>();
    case DataType::kUInt8:
      return f.template operator()<Num<uint8_t>>();
    case DataType::kInt16:
      return f.template operator()<Num<int16_t>>();
    case DataType::kUInt16:
      return f.template operator()<Num<uint16_t>>();
    case DataType::kInt32:
      return f.template operator()<Num<int32_t>>();
    case DataType::kUInt32:
      return f.template operator()<Num<uint32_t>>();
    case DataType::kInt64:
      return f.template operator()<Num<int64_t>>();
    case DataType::kUInt64:
      return f.template operator()<Num<uint64_t>>();
    case DataType::kBool:
      return f.template operator()<Num<bool>>();
    default:
      return unimplemented("dtype " + std::string(dtype_name(dt)) + " is not supported");
  }
}

// The values of any numeric tensor converted to int64 (floats truncate).
inline Result<std::vector<int64_t>> read_as_int64(const Tensor& t) {
  std::vector<int64_t> v(static_cast<size_t>(t.num_elements()));
  RETURN_IF_ERROR(visit_numeric(t.dtype(), [&]<typename N>() {
    const auto* p = static_cast<const typename N::Storage*>(t.raw_data());
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int64_t>(N::load(p[i]));
    return Status::ok_status();
  }));
  return v;
}

// A dtype attribute's ONNX TensorProto.DataType code -> DataType, for the ops that compute in
// it: the narrow types (float8, 4-bit), which no such op computes in, are refused by name.
inline Result<DataType> dtype_attribute(int64_t code) {
  auto dt = dtype_from_onnx_code(code);
  if (!dt || dtype_is_narrow(*dt)) {
    return unimplemented("dtype " + onnx_type_name(code) + " is not supported");
  }
  return *dt;
}

// ScatterElements / ScatterND `reduction`: none, add and mul from opset 16, max and min from 18.
enum class ScatterReduction { kNone, kAdd, kMul, kMax, kMin };

inline Result<ScatterReduction> parse_scatter_reduction(const std::string& r, int64_t opset) {
  if (r == "none") return ScatterReduction::kNone;
  if (r == "add" && opset >= 16) return ScatterReduction::kAdd;
  if (r == "mul" && opset >= 16) return ScatterReduction::kMul;
  if (r == "max" && opset >= 18) return ScatterReduction::kMax;
  if (r == "min" && opset >= 18) return ScatterReduction::kMin;
  return invalid_argument("reduction \"" + r + "\" is not supported at opset " +
                          std::to_string(opset));
}

template <typename N>
inline void scatter_apply(typename N::Storage* dst, typename N::Storage v, ScatterReduction r) {
  const auto a = N::load(*dst), b = N::load(v);
  switch (r) {
    case ScatterReduction::kNone:
      *dst = v;
      break;
    case ScatterReduction::kAdd:
      *dst = N::store(static_cast<typename N::Acc>(a + b));
      break;
    case ScatterReduction::kMul:
      *dst = N::store(static_cast<typename N::Acc>(a * b));
      break;
    case ScatterReduction::kMax:
      *dst = N::store(a < b ? b : a);
      break;
    case ScatterReduction::kMin:
      *dst = N::store(b < a ? b : a);
      break;
  }
}

}  // namespace modelhost::engine::cpu

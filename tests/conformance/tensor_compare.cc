#include "conformance/tensor_compare.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <sstream>

#include "engine/ir/narrow_types.h"

namespace modelhost::engine::conformance {

namespace {

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);  // inf / NaN
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;
  } else {  // subnormal: renormalize
    exp = 113;
    while ((mant & 0x400u) == 0) {
      mant <<= 1;
      --exp;
    }
    bits = sign | (exp << 23) | ((mant & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

float bfloat16_to_float(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

bool is_floating(DataType dt) {
  return dt == DataType::kFloat32 || dt == DataType::kFloat64 || dt == DataType::kFloat16 ||
         dt == DataType::kBFloat16 || dtype_is_narrow_float(dt);
}

// Element `i` as a double; exact for every integer type up to 2^53, which is enough to print it.
double element_as_double(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DataType::kFloat32:
      return t.data<float>()[i];
    case DataType::kFloat64:
      return t.data<double>()[i];
    case DataType::kFloat16:
      return half_to_float(t.data<uint16_t>()[i]);
    case DataType::kBFloat16:
      return bfloat16_to_float(t.data<uint16_t>()[i]);
    case DataType::kInt8:
      return t.data<int8_t>()[i];
    case DataType::kUInt8:
      return t.data<uint8_t>()[i];
    case DataType::kInt16:
      return t.data<int16_t>()[i];
    case DataType::kUInt16:
      return t.data<uint16_t>()[i];
    case DataType::kInt32:
      return t.data<int32_t>()[i];
    case DataType::kUInt32:
      return t.data<uint32_t>()[i];
    case DataType::kInt64:
      return static_cast<double>(t.data<int64_t>()[i]);
    case DataType::kUInt64:
      return static_cast<double>(t.data<uint64_t>()[i]);
    case DataType::kBool:
      return t.data<bool>()[i] ? 1.0 : 0.0;
    case DataType::kInt4:
      return t.data<int8_t>()[i];  // one value per byte in memory
    case DataType::kUInt4:
      return t.data<uint8_t>()[i];
    case DataType::kFloat8E4M3FN:
    case DataType::kFloat8E4M3FNUZ:
    case DataType::kFloat8E5M2:
    case DataType::kFloat8E5M2FNUZ:
    case DataType::kFloat8E8M0:
    case DataType::kFloat4E2M1:
      return narrow_to_float(t.dtype(), t.data<uint8_t>()[i]);
    case DataType::kUndefined:
      break;
  }
  return 0.0;
}

// numpy.testing.assert_allclose semantics: |got - expected| <= atol + rtol * |expected|, NaN
// matches NaN, infinities must match exactly.
bool floats_close(double expected, double got) {
  if (std::isnan(expected) || std::isnan(got)) return std::isnan(expected) && std::isnan(got);
  if (std::isinf(expected) || std::isinf(got)) return expected == got;
  return std::fabs(got - expected) <= kAtol + kRtol * std::fabs(expected);
}

std::string format_value(const Tensor& t, int64_t i) {
  std::ostringstream out;
  if (t.dtype() == DataType::kInt64) {
    out << t.data<int64_t>()[i];
  } else if (t.dtype() == DataType::kUInt64) {
    out << t.data<uint64_t>()[i];
  } else {
    out.precision(9);
    out << element_as_double(t, i);
  }
  return out.str();
}

// Multi-index of flat element `i`: "[0,2,1]".
std::string element_index(const Shape& shape, int64_t i) {
  Shape index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    if (shape[d] > 0) {
      index[d] = i % shape[d];
      i /= shape[d];
    }
  }
  return shape_to_string(index);
}

}  // namespace

std::string compare_tensors(const Tensor& expected, const Tensor& got) {
  if (got.dtype() != expected.dtype()) {
    return "dtype: expected " + std::string(dtype_name(expected.dtype())) + ", got " +
           std::string(dtype_name(got.dtype()));
  }
  if (got.shape() != expected.shape()) {
    return "shape: expected " + shape_to_string(expected.shape()) + ", got " +
           shape_to_string(got.shape());
  }
  const bool floating = is_floating(expected.dtype());
  const bool wide_int =
      expected.dtype() == DataType::kInt64 || expected.dtype() == DataType::kUInt64;
  const size_t elem = dtype_size(expected.dtype());
  const auto* e_bytes = static_cast<const unsigned char*>(expected.raw_data());
  const auto* g_bytes = static_cast<const unsigned char*>(got.raw_data());
  for (int64_t i = 0; i < expected.num_elements(); ++i) {
    bool same;
    if (floating) {
      same = floats_close(element_as_double(expected, i), element_as_double(got, i));
    } else if (wide_int || expected.dtype() == DataType::kBool) {
      // Exact, and for bool any non-zero byte is true.
      same = wide_int ? std::memcmp(e_bytes + i * elem, g_bytes + i * elem, elem) == 0
                      : (e_bytes[i] != 0) == (g_bytes[i] != 0);
    } else {
      same = element_as_double(expected, i) == element_as_double(got, i);
    }
    if (!same) {
      return "element " + element_index(expected.shape(), i) + " (flat " + std::to_string(i) +
             "): expected " + format_value(expected, i) + ", got " + format_value(got, i);
    }
  }
  return "";
}

}  // namespace modelhost::engine::conformance

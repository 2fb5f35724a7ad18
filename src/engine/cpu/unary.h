// Shared machinery for the unary math ops (Abs, Exp, Sin, LeakyRelu, ...) and for dtype
// conversion (Cast, CastLike, and ops that compute half-precision inputs in float32).
//
// float16 and bfloat16 tensors hold their elements as raw uint16_t bits; the ops compute them in
// float32 and round back (round to nearest even).
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "common/status.h"
#include "engine/cpu/elementwise.h"
#include "engine/exec/kernel.h"
#include "engine/ir/tensor.h"

namespace modelhost::engine::cpu {

// ---- float16 / bfloat16 bit conversions (round to nearest even) ----

inline uint16_t float_to_half_bits(float value) {
  uint32_t f = std::bit_cast<uint32_t>(value);
  const uint32_t sign = f & 0x80000000u;
  f ^= sign;
  uint16_t h;
  if (f >= (143u << 23)) {  // >= 65536 or Inf/NaN
    h = f > (255u << 23) ? 0x7E00 : 0x7C00;
  } else if (f < (113u << 23)) {  // half subnormal or zero: let the FPU round
    const uint32_t magic_bits = ((127 - 15) + (23 - 10) + 1) << 23;
    const float magic = std::bit_cast<float>(magic_bits);
    const float sum = std::bit_cast<float>(f) + magic;
    h = static_cast<uint16_t>(std::bit_cast<uint32_t>(sum) - magic_bits);
  } else {
    const uint32_t mant_odd = (f >> 13) & 1;
    f += (static_cast<uint32_t>(15 - 127) << 23) + 0xFFF + mant_odd;
    h = static_cast<uint16_t>(f >> 13);
  }
  return static_cast<uint16_t>(h | (sign >> 16));
}

inline float half_bits_to_float(uint16_t h) {
  const uint32_t shifted_exp = 0x7C00u << 13;
  uint32_t o = (h & 0x7FFFu) << 13;
  const uint32_t exp = o & shifted_exp;
  o += (127u - 15u) << 23;
  if (exp == shifted_exp) {
    o += (128u - 16u) << 23;  // Inf / NaN
  } else if (exp == 0) {
    o += 1u << 23;  // zero / subnormal: renormalize
    o = std::bit_cast<uint32_t>(std::bit_cast<float>(o) - std::bit_cast<float>(113u << 23));
  }
  o |= static_cast<uint32_t>(h & 0x8000u) << 16;
  return std::bit_cast<float>(o);
}

inline uint16_t float_to_bf16_bits(float value) {
  uint32_t f = std::bit_cast<uint32_t>(value);
  if (std::isnan(value)) return static_cast<uint16_t>((f >> 16) | 0x40);
  f += 0x7FFF + ((f >> 16) & 1);
  return static_cast<uint16_t>(f >> 16);
}

inline float bf16_bits_to_float(uint16_t b) {
  return std::bit_cast<float>(static_cast<uint32_t>(b) << 16);
}

// Element tags for the two 16-bit float types (their storage is uint16_t).
struct Half {
  uint16_t bits;
};
struct BFloat {
  uint16_t bits;
};

// "input 0 has dtype int64; Exp supports float32, float64, float16"
inline Status unsupported_dtype(const Tensor& t, size_t input_index, std::string_view op,
                                std::span<const DataType> allowed) {
  std::string msg = "input " + std::to_string(input_index) + " has dtype " +
                    std::string(dtype_name(t.dtype())) + "; " + std::string(op) + " supports ";
  for (size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) msg += ", ";
    msg += dtype_name(allowed[i]);
  }
  return invalid_argument(std::move(msg));
}

inline constexpr DataType kFloatTypes[] = {DataType::kFloat32, DataType::kFloat64,
                                           DataType::kFloat16, DataType::kBFloat16};
inline constexpr DataType kSignedIntTypes[] = {DataType::kInt8, DataType::kInt16,
                                               DataType::kInt32, DataType::kInt64};
inline constexpr DataType kNumericTypes[] = {
    DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kBFloat16,
    DataType::kInt8,    DataType::kInt16,   DataType::kInt32,   DataType::kInt64,
    DataType::kUInt8,   DataType::kUInt16,  DataType::kUInt32,  DataType::kUInt64};

// Calls fn.template operator()<T>() with the C++ element type of `dt` (Half / BFloat for the 16-bit
// floats, bool for kBool) and returns its result; `fallback()` for kUndefined.
template <typename Fn, typename Fallback>
auto visit_dtype(DataType dt, Fn&& fn, Fallback&& fallback) {
  switch (dt) {
    case DataType::kFloat32: return fn.template operator()<float>();
    case DataType::kFloat64: return fn.template operator()<double>();
    case DataType::kFloat16: return fn.template operator()<Half>();
    case DataType::kBFloat16: return fn.template operator()<BFloat>();
    case DataType::kInt8: return fn.template operator()<int8_t>();
    case DataType::kInt16: return fn.template operator()<int16_t>();
    case DataType::kInt32: return fn.template operator()<int32_t>();
    case DataType::kInt64: return fn.template operator()<int64_t>();
    case DataType::kUInt8: return fn.template operator()<uint8_t>();
    case DataType::kUInt16: return fn.template operator()<uint16_t>();
    case DataType::kUInt32: return fn.template operator()<uint32_t>();
    case DataType::kUInt64: return fn.template operator()<uint64_t>();
    case DataType::kBool: return fn.template operator()<bool>();
    default: return fallback();
  }
}

template <typename T>
inline constexpr bool kIsHalfLike = std::is_same_v<T, Half> || std::is_same_v<T, BFloat>;

// The storage type of an element tag (uint16_t for Half / BFloat).
template <typename T>
using Storage = std::conditional_t<kIsHalfLike<T>, uint16_t, T>;

// One element of type `From` (given as storage) converted to `To` (returned as storage), with the
// ONNX Cast rules: to bool is `!= 0`, NaN to an integer is 0, out-of-range floats saturate.
template <typename From, typename To>
inline Storage<To> convert_element(Storage<From> v) {
  if constexpr (std::is_same_v<From, To>) {
    return v;
  } else if constexpr (kIsHalfLike<From>) {
    const float f = std::is_same_v<From, Half> ? half_bits_to_float(v) : bf16_bits_to_float(v);
    return convert_element<float, To>(f);
  } else if constexpr (std::is_same_v<To, Half>) {
    return float_to_half_bits(static_cast<float>(v));
  } else if constexpr (std::is_same_v<To, BFloat>) {
    return float_to_bf16_bits(static_cast<float>(v));
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != From{0};
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (std::isnan(v)) return To{0};
    constexpr From lo = static_cast<From>(std::numeric_limits<To>::lowest());
    // 2^bits as a From (exact), so `v < hi` means the truncated value fits.
    constexpr From hi = static_cast<From>(std::numeric_limits<To>::max() / 2 + 1) * From{2};
    if (v <= lo) return std::numeric_limits<To>::lowest();
    if (v >= hi) return std::numeric_limits<To>::max();
    return static_cast<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

// A new tensor of dtype `to` holding `x` converted element by element. Errors for kUndefined.
inline Result<Tensor> convert_tensor(const exec::KernelContext& ctx, const Tensor& x, DataType to) {
  if (x.dtype() == to) return x;
  auto unknown = [] { return Result<Tensor>(invalid_argument("unsupported dtype")); };
  return visit_dtype(
      x.dtype(),
      [&]<typename From>() -> Result<Tensor> {
        return visit_dtype(
            to,
            [&]<typename To>() -> Result<Tensor> {
              Tensor out = Tensor::allocate(to, x.shape());
              const Storage<From>* in = x.data<Storage<From>>();
              Storage<To>* o = out.mutable_data<Storage<To>>();
              exec::parallel_for(ctx, x.num_elements(), 1 << 14, [&](int64_t b, int64_t e) {
                for (int64_t i = b; i < e; ++i) o[i] = convert_element<From, To>(in[i]);
              });
              return out;
            },
            unknown);
      },
      unknown);
}

// out = f(x) for float32 / float64 (computed in their own type) and float16 / bfloat16 (computed
// in float32). `f` is a generic callable: `[](auto v) { return ...; }`.
template <typename F>
Status float_unary(const exec::KernelContext& ctx, const Tensor& x, Tensor& out,
                   std::string_view op, const F& f) {
  switch (x.dtype()) {
    case DataType::kFloat32:
      out = unary_map<float>(ctx, x, out, [&](float v) { return static_cast<float>(f(v)); });
      return Status::ok_status();
    case DataType::kFloat64:
      out = unary_map<double>(ctx, x, out, [&](double v) { return static_cast<double>(f(v)); });
      return Status::ok_status();
    case DataType::kFloat16:
      out = unary_map<uint16_t>(ctx, x, out, [&](uint16_t v) {
        return float_to_half_bits(static_cast<float>(f(half_bits_to_float(v))));
      });
      return Status::ok_status();
    case DataType::kBFloat16:
      out = unary_map<uint16_t>(ctx, x, out, [&](uint16_t v) {
        return float_to_bf16_bits(static_cast<float>(f(bf16_bits_to_float(v))));
      });
      return Status::ok_status();
    default:
      return unsupported_dtype(x, 0, op, kFloatTypes);
  }
}

// out (dtype `out_dtype`, element R) = pred(x) for float inputs: IsNaN, IsInf.
template <typename R, typename F>
Status float_predicate(const exec::KernelContext& ctx, const Tensor& x, Tensor& out,
                       std::string_view op, const F& f) {
  auto run = [&]<typename T>(auto to_value) {
    out = Tensor::allocate(DataTypeOf<R>::value, x.shape());
    const T* in = x.data<T>();
    R* o = out.mutable_data<R>();
    exec::parallel_for(ctx, x.num_elements(), 1 << 14, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) o[i] = f(to_value(in[i]));
    });
    return Status::ok_status();
  };
  switch (x.dtype()) {
    case DataType::kFloat32: return run.template operator()<float>([](float v) { return v; });
    case DataType::kFloat64: return run.template operator()<double>([](double v) { return v; });
    case DataType::kFloat16: return run.template operator()<uint16_t>(half_bits_to_float);
    case DataType::kBFloat16: return run.template operator()<uint16_t>(bf16_bits_to_float);
    default: return unsupported_dtype(x, 0, op, kFloatTypes);
  }
}

// out = f(x) for every dtype in `allowed` (a subset of kNumericTypes); float types go through
// float_unary, integers call `f` with their own type.
template <typename F>
Status numeric_unary(const exec::KernelContext& ctx, const Tensor& x, Tensor& out,
                     std::string_view op, const F& f, std::span<const DataType> allowed) {
  bool ok = false;
  for (DataType dt : allowed) ok = ok || dt == x.dtype();
  if (!ok) return unsupported_dtype(x, 0, op, allowed);
  return visit_dtype(
      x.dtype(),
      [&]<typename T>() -> Status {
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          out = unary_map<T>(ctx, x, out, [&](T v) { return static_cast<T>(f(v)); });
          return Status::ok_status();
        } else {
          return float_unary(ctx, x, out, op, f);
        }
      },
      [&]() -> Status { return unsupported_dtype(x, 0, op, allowed); });
}

// A one-input float op whose math is `fn` (a generic callable capturing the node's attributes).
template <typename Fn>
class FloatUnaryKernel final : public exec::Kernel {
 public:
  FloatUnaryKernel(const char* op, Fn fn) : op_(op), fn_(std::move(fn)) {}
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    return float_unary(ctx, *inputs[0], outputs[0], op_, fn_);
  }
  Status infer_types(std::span<const DataType> inputs,
                     std::span<DataType> outputs) const override {
    RETURN_IF_ERROR(exec::check_dtype(inputs[0], 0, op_, kFloatTypes));
    outputs[0] = inputs[0];
    return Status::ok_status();
  }

 private:
  const char* op_;
  Fn fn_;
};

template <typename Fn>
Result<std::unique_ptr<exec::Kernel>> make_float_unary(const char* op, Fn fn) {
  return exec::make_kernel<FloatUnaryKernel<Fn>>(op, std::move(fn));
}

// Factory of an attribute-free one-input float op.
template <typename Fn>
exec::KernelFactory float_unary_factory(const char* op, Fn fn) {
  return [op, fn](const ir::Node& node) -> Result<std::unique_ptr<exec::Kernel>> {
    RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
    RETURN_IF_ERROR(exec::check_attributes(node, {}));
    return make_float_unary(op, fn);
  };
}

}  // namespace modelhost::engine::cpu

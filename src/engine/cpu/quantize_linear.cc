// QuantizeLinear (opset 10..24): y = saturate(round_half_even(x / y_scale) + y_zero_point),
// per-tensor, per-axis (opset 13) or blocked (opset 21, block_size). x and y_scale are float32,
// float16, bfloat16 (opset 19) or int32 (x only before 19); y is uint8 (default), int8, and from
// opset 21 uint16 / int16, int4 / uint4 (saturating to their range) and float4e2m1, and from
// opset 19 the float8 types (x / y_scale converted with `saturate`; their zero point is 0), taken
// from y_zero_point's dtype or the output_dtype attribute.
#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/cpu/quantize_util.h"
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel_registry.h"
#include "engine/ir/narrow_types.h"

namespace modelhost::engine::cpu {
namespace {

constexpr std::string_view kQuantizedTypeNames =
    "uint8, int8, uint16, int16, uint4, int4, float8e4m3fn, float8e4m3fnuz, float8e5m2, "
    "float8e5m2fnuz, float4e2m1";

bool is_quantized_type(DataType dt) {
  switch (dt) {
    case DataType::kUInt8:
    case DataType::kInt8:
    case DataType::kUInt16:
    case DataType::kInt16:
    case DataType::kUInt4:
    case DataType::kInt4:
    case DataType::kFloat8E4M3FN:
    case DataType::kFloat8E4M3FNUZ:
    case DataType::kFloat8E5M2:
    case DataType::kFloat8E5M2FNUZ:
    case DataType::kFloat4E2M1:
      return true;
    default:
      return false;
  }
}

// The values of a float or int32 tensor as C.
template <typename C>
Result<std::vector<C>> load_as(const Tensor& t, size_t input_index, std::string_view what) {
  std::vector<C> v(static_cast<size_t>(t.num_elements()));
  switch (t.dtype()) {
    case DataType::kFloat32:
      for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<C>(t.data<float>()[i]);
      break;
    case DataType::kFloat64:
      for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<C>(t.data<double>()[i]);
      break;
    case DataType::kFloat16:
      for (size_t i = 0; i < v.size(); ++i) v[i] = half_to_float(t.data<uint16_t>()[i]);
      break;
    case DataType::kBFloat16:
      for (size_t i = 0; i < v.size(); ++i) v[i] = bf16_to_float(t.data<uint16_t>()[i]);
      break;
    case DataType::kInt32:
      for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<C>(t.data<int32_t>()[i]);
      break;
    default:
      return invalid_argument("input " + std::to_string(input_index) + " (" + std::string(what) +
                              ") must be float or int32, got " +
                              std::string(dtype_name(t.dtype())));
  }
  return v;
}

// y[i] = store(x[i] / scale[p], p) with p the element's scale / zero-point index.
template <typename Q, typename C, typename Store>
void quantize(const std::vector<C>& x, const std::vector<C>& scale, const QuantParamLayout& l, Q* y,
              const exec::KernelContext& ctx, const Store& store) {
  exec::parallel_for(ctx, l.outer * l.dim, std::max<int64_t>(1, 16384 / l.inner),
                     [&](int64_t r0, int64_t r1) {
                       for (int64_t r = r0; r < r1; ++r) {
                         const int64_t o = r / l.dim, a = r % l.dim;
                         const size_t base = static_cast<size_t>(r * l.inner);
                         for (int64_t i = 0; i < l.inner; ++i) {
                           const size_t p = static_cast<size_t>(l.param_index(o, a, i));
                           const size_t at = base + static_cast<size_t>(i);
                           y[at] = store(x[at] / scale[p], p);
                         }
                       }
                     });
}

// Integer outputs: round half to even, add the zero point, saturate to [lo, hi].
template <typename Q, typename C>
void quantize_int(const std::vector<C>& x, const std::vector<C>& scale, const Q* zp,
                  const QuantParamLayout& l, Q* y, const exec::KernelContext& ctx, C lo, C hi) {
  quantize(x, scale, l, y, ctx, [&](C v, size_t p) {
    v = std::nearbyint(v);
    if (zp) v += static_cast<C>(zp[p]);
    return static_cast<Q>(std::isnan(v) ? C(0) : std::clamp(v, lo, hi));
  });
}

template <typename Q, typename C>
void quantize_int(const std::vector<C>& x, const std::vector<C>& scale, const Q* zp,
                  const QuantParamLayout& l, Q* y, const exec::KernelContext& ctx) {
  quantize_int<Q, C>(x, scale, zp, l, y, ctx, static_cast<C>(std::numeric_limits<Q>::lowest()),
                     static_cast<C>(std::numeric_limits<Q>::max()));
}

class QuantizeLinearKernel final : public exec::Kernel {
 public:
  QuantizeLinearKernel(int64_t axis, int64_t block_size, DataType output_dtype, bool has_out_attr,
                       bool use_double, bool saturate)
      : axis_(axis),
        block_size_(block_size),
        output_dtype_(output_dtype),
        has_out_attr_(has_out_attr),
        use_double_(use_double),
        saturate_(saturate) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& scale = *inputs[1];
    const Tensor* zp = inputs.size() > 2 ? inputs[2] : nullptr;
    DataType out = output_dtype_;
    if (zp) {
      if (has_out_attr_ && zp->dtype() != output_dtype_) {
        return invalid_argument("y_zero_point dtype " + std::string(dtype_name(zp->dtype())) +
                                " differs from output_dtype " +
                                std::string(dtype_name(output_dtype_)));
      }
      out = zp->dtype();
      if (zp->shape() != scale.shape() && !(zp->num_elements() == 1 && scale.num_elements() == 1)) {
        return invalid_argument("y_zero_point " + shape_to_string(zp->shape()) +
                                " must have y_scale's shape " + shape_to_string(scale.shape()));
      }
    }
    ASSIGN_OR_RETURN(QuantParamLayout l,
                     quant_param_layout(x, scale, axis_, block_size_, "QuantizeLinear"));
    ASSIGN_OR_RETURN(Tensor y, allocate_checked(out, x.shape()));
    if (x.num_elements() > 0) {
      if (use_double_ || x.dtype() == DataType::kInt32 || x.dtype() == DataType::kFloat64) {
        RETURN_IF_ERROR(run<double>(ctx, x, scale, zp, l, y));
      } else {
        RETURN_IF_ERROR(run<float>(ctx, x, scale, zp, l, y));
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  template <typename C>
  Status run(const exec::KernelContext& ctx, const Tensor& x, const Tensor& scale, const Tensor* zp,
             const QuantParamLayout& l, Tensor& y) const {
    ASSIGN_OR_RETURN(std::vector<C> xv, load_as<C>(x, 0, "x"));
    ASSIGN_OR_RETURN(std::vector<C> sv, load_as<C>(scale, 1, "y_scale"));
    const DataType out = y.dtype();
    switch (out) {
      case DataType::kUInt8:
        quantize_int<uint8_t, C>(xv, sv, zp ? zp->data<uint8_t>() : nullptr, l,
                                 y.mutable_data<uint8_t>(), ctx);
        break;
      case DataType::kInt8:
        quantize_int<int8_t, C>(xv, sv, zp ? zp->data<int8_t>() : nullptr, l,
                                y.mutable_data<int8_t>(), ctx);
        break;
      case DataType::kUInt16:
        quantize_int<uint16_t, C>(xv, sv, zp ? zp->data<uint16_t>() : nullptr, l,
                                  y.mutable_data<uint16_t>(), ctx);
        break;
      case DataType::kInt16:
        quantize_int<int16_t, C>(xv, sv, zp ? zp->data<int16_t>() : nullptr, l,
                                 y.mutable_data<int16_t>(), ctx);
        break;
      case DataType::kUInt4:  // one value per byte in memory
        quantize_int<uint8_t, C>(xv, sv, zp ? zp->data<uint8_t>() : nullptr, l,
                                 y.mutable_data<uint8_t>(), ctx, C(0), C(15));
        break;
      case DataType::kInt4:
        quantize_int<int8_t, C>(xv, sv, zp ? zp->data<int8_t>() : nullptr, l,
                                y.mutable_data<int8_t>(), ctx, C(-8), C(7));
        break;
      case DataType::kFloat8E4M3FN:
      case DataType::kFloat8E4M3FNUZ:
      case DataType::kFloat8E5M2:
      case DataType::kFloat8E5M2FNUZ:
        // The zero point of a float8 output is 0 by definition and not added.
        quantize(xv, sv, l, y.mutable_data<uint8_t>(), ctx, [&](C v, size_t) {
          return float_to_narrow(out, static_cast<float>(v), saturate_);
        });
        break;
      case DataType::kFloat4E2M1: {
        const uint8_t* z = zp ? zp->data<uint8_t>() : nullptr;
        quantize(xv, sv, l, y.mutable_data<uint8_t>(), ctx, [&](C v, size_t p) {
          if (z) v += static_cast<C>(narrow_to_float(out, z[p]));
          return float_to_narrow(out, static_cast<float>(v), /*saturate=*/true);
        });
        break;
      }
      default:
        return unimplemented("QuantizeLinear output dtype " + std::string(dtype_name(out)) +
                             " is not supported");
    }
    return Status::ok_status();
  }

  int64_t axis_;
  int64_t block_size_;
  DataType output_dtype_;
  bool has_out_attr_;
  bool use_double_;
  bool saturate_;  // float8 outputs: clamp out-of-range values (else infinity / NaN)
};

Result<std::unique_ptr<exec::Kernel>> make_quantize_linear(const ir::Node& node) {
  const int64_t opset = node.opset;
  RETURN_IF_ERROR(exec::check_arity(node, 2, 3));
  if (opset >= 23) {
    RETURN_IF_ERROR(exec::check_attributes(
        node, {"axis", "saturate", "block_size", "output_dtype", "precision"}));
  } else if (opset >= 21) {
    RETURN_IF_ERROR(
        exec::check_attributes(node, {"axis", "saturate", "block_size", "output_dtype"}));
  } else if (opset >= 19) {
    RETURN_IF_ERROR(exec::check_attributes(node, {"axis", "saturate"}));
  } else if (opset >= 13) {
    RETURN_IF_ERROR(exec::check_attributes(node, {"axis"}));
  } else {
    RETURN_IF_ERROR(exec::check_attributes(node, {}));
  }
  ASSIGN_OR_RETURN(const QuantAttrs attrs, read_quant_attrs(node));
  const int64_t out_code = attrs.output_dtype_code;
  DataType out = DataType::kUInt8;
  if (out_code != 0) {
    auto dt = dtype_from_onnx_code(out_code);
    if (!dt || !is_quantized_type(*dt)) {
      return unimplemented("QuantizeLinear output_dtype " + onnx_type_name(out_code) +
                           " is not supported (" + std::string(kQuantizedTypeNames) + ")");
    }
    out = *dt;
  }
  ASSIGN_OR_RETURN(const int64_t saturate, node.attributes.get_int("saturate", 1));
  ASSIGN_OR_RETURN(int64_t precision, node.attributes.get_int("precision", 0));
  return exec::make_kernel<QuantizeLinearKernel>(attrs.axis, attrs.block_size, out, out_code != 0,
                                                 precision == 11, saturate != 0);
}

MH_REGISTER_CPU_KERNEL(QuantizeLinear, 10, exec::kMaxOpset, make_quantize_linear);

}  // namespace
}  // namespace modelhost::engine::cpu

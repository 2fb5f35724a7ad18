// DequantizeLinear (opset 10..24): y = (x - x_zero_point) * x_scale, per-tensor, per-axis
// (opset 13) or blocked (opset 21, block_size). x is uint8, int8, int32 (zero point 0), and from
// opset 21 uint16 / int16; y has x_scale's dtype (float32, float16 / bfloat16 from opset 19) or
// output_dtype (opset 23). Computed in float32 like the ONNX reference. x may also be int4 / uint4
// and float4e2m1 (opset 21) or a float8 type (opset 19), decoded to float32 first.
#include <algorithm>
#include <vector>

#include "engine/cpu/quantize_util.h"
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel_registry.h"
#include "engine/ir/narrow_types.h"

namespace modelhost::engine::cpu {
namespace {

template <typename Q, typename N>
void dequantize(const Q* x, const std::vector<float>& scale, const Q* zp, const QuantParamLayout& l,
                typename N::Storage* y, const exec::KernelContext& ctx) {
  exec::parallel_for(ctx, l.outer * l.dim, std::max<int64_t>(1, 16384 / l.inner),
                     [&](int64_t r0, int64_t r1) {
                       for (int64_t r = r0; r < r1; ++r) {
                         const int64_t o = r / l.dim, a = r % l.dim;
                         const int64_t base = r * l.inner;
                         for (int64_t i = 0; i < l.inner; ++i) {
                           const size_t p = static_cast<size_t>(l.param_index(o, a, i));
                           float v = static_cast<float>(x[base + i]);
                           if (zp) v -= static_cast<float>(zp[p]);
                           y[base + i] = N::store(static_cast<typename N::Acc>(v * scale[p]));
                         }
                       }
                     });
}

// The float32 values of a narrow-float tensor.
std::vector<float> decode_narrow(const Tensor& t) {
  std::vector<float> v(static_cast<size_t>(t.num_elements()));
  narrow_to_float(t.dtype(), {t.data<uint8_t>(), v.size()}, v.data());
  return v;
}

class DequantizeLinearKernel final : public exec::Kernel {
 public:
  DequantizeLinearKernel(int64_t axis, int64_t block_size, DataType output_dtype)
      : axis_(axis), block_size_(block_size), output_dtype_(output_dtype) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& scale = *inputs[1];
    const Tensor* zp = inputs.size() > 2 ? inputs[2] : nullptr;
    RETURN_IF_ERROR(exec::check_dtype(
        x, 0, "DequantizeLinear",
        {DataType::kUInt8, DataType::kInt8, DataType::kUInt16, DataType::kInt16, DataType::kInt32,
         DataType::kUInt4, DataType::kInt4, DataType::kFloat8E4M3FN, DataType::kFloat8E4M3FNUZ,
         DataType::kFloat8E5M2, DataType::kFloat8E5M2FNUZ, DataType::kFloat4E2M1}));
    RETURN_IF_ERROR(exec::check_dtype(
        scale, 1, "DequantizeLinear",
        {DataType::kFloat32, DataType::kFloat16, DataType::kBFloat16, DataType::kFloat64}));
    if (zp) {
      if (zp->dtype() != x.dtype()) {
        return invalid_argument("x_zero_point dtype " + std::string(dtype_name(zp->dtype())) +
                                " must match x's dtype " + std::string(dtype_name(x.dtype())));
      }
      if (zp->shape() != scale.shape() && !(zp->num_elements() == 1 && scale.num_elements() == 1)) {
        return invalid_argument("x_zero_point " + shape_to_string(zp->shape()) +
                                " must have x_scale's shape " + shape_to_string(scale.shape()));
      }
    }
    ASSIGN_OR_RETURN(QuantParamLayout l,
                     quant_param_layout(x, scale, axis_, block_size_, "DequantizeLinear"));
    std::vector<float> sv(static_cast<size_t>(scale.num_elements()));
    RETURN_IF_ERROR(visit_numeric(scale.dtype(), [&]<typename N>() {
      const auto* p = static_cast<const typename N::Storage*>(scale.raw_data());
      for (size_t i = 0; i < sv.size(); ++i) sv[i] = static_cast<float>(N::load(p[i]));
      return Status::ok_status();
    }));
    const DataType out = output_dtype_ == DataType::kUndefined ? scale.dtype() : output_dtype_;
    ASSIGN_OR_RETURN(Tensor y, allocate_checked(out, x.shape()));
    if (x.num_elements() > 0) {
      auto run = [&]<typename N>() {
        auto* yp = y.mutable_data<typename N::Storage>();
        switch (x.dtype()) {
          case DataType::kUInt4:  // one value per byte in memory
          case DataType::kUInt8:
            dequantize<uint8_t, N>(x.data<uint8_t>(), sv, zp ? zp->data<uint8_t>() : nullptr, l, yp,
                                   ctx);
            break;
          case DataType::kInt4:
          case DataType::kInt8:
            dequantize<int8_t, N>(x.data<int8_t>(), sv, zp ? zp->data<int8_t>() : nullptr, l, yp,
                                  ctx);
            break;
          case DataType::kUInt16:
            dequantize<uint16_t, N>(x.data<uint16_t>(), sv, zp ? zp->data<uint16_t>() : nullptr, l,
                                    yp, ctx);
            break;
          case DataType::kInt16:
            dequantize<int16_t, N>(x.data<int16_t>(), sv, zp ? zp->data<int16_t>() : nullptr, l, yp,
                                   ctx);
            break;
          case DataType::kInt32:
            dequantize<int32_t, N>(x.data<int32_t>(), sv, zp ? zp->data<int32_t>() : nullptr, l, yp,
                                   ctx);
            break;
          default: {  // the narrow floats, decoded to float32 first
            const std::vector<float> xf = decode_narrow(x);
            const std::vector<float> zf = zp ? decode_narrow(*zp) : std::vector<float>();
            dequantize<float, N>(xf.data(), sv, zp ? zf.data() : nullptr, l, yp, ctx);
            break;
          }
        }
      };
      switch (out) {
        case DataType::kFloat16:
          run.template operator()<Num<Float16Tag>>();
          break;
        case DataType::kBFloat16:
          run.template operator()<Num<BFloat16Tag>>();
          break;
        case DataType::kFloat64:
          run.template operator()<Num<double>>();
          break;
        default:
          run.template operator()<Num<float>>();
          break;
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  int64_t axis_;
  int64_t block_size_;
  DataType output_dtype_;  // kUndefined: x_scale's dtype
};

Result<std::unique_ptr<exec::Kernel>> make_dequantize_linear(const ir::Node& node) {
  const int64_t opset = node.opset;
  RETURN_IF_ERROR(exec::check_arity(node, 2, 3));
  if (opset >= 23) {
    RETURN_IF_ERROR(exec::check_attributes(node, {"axis", "block_size", "output_dtype"}));
  } else if (opset >= 21) {
    RETURN_IF_ERROR(exec::check_attributes(node, {"axis", "block_size"}));
  } else if (opset >= 13) {
    RETURN_IF_ERROR(exec::check_attributes(node, {"axis"}));
  } else {
    RETURN_IF_ERROR(exec::check_attributes(node, {}));
  }
  ASSIGN_OR_RETURN(const QuantAttrs attrs, read_quant_attrs(node));
  const int64_t out_code = attrs.output_dtype_code;
  DataType out = DataType::kUndefined;
  if (out_code != 0) {
    auto dt = dtype_from_onnx_code(out_code);
    if (!dt ||
        (*dt != DataType::kFloat32 && *dt != DataType::kFloat16 && *dt != DataType::kBFloat16)) {
      return invalid_argument("DequantizeLinear output_dtype " + onnx_type_name(out_code) +
                              " must be float32, float16 or bfloat16");
    }
    out = *dt;
  }
  return exec::make_kernel<DequantizeLinearKernel>(attrs.axis, attrs.block_size, out);
}

MH_REGISTER_CPU_KERNEL(DequantizeLinear, 10, exec::kMaxOpset, make_dequantize_linear);

}  // namespace
}  // namespace modelhost::engine::cpu

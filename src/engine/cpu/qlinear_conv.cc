// QLinearConv (opset 10+): quantized convolution. The int32 sum of (x - x_zero_point) *
// (w - w_zero_point) plus the optional int32 bias B is requantized to y's dtype (y_zero_point's:
// int8 or uint8): round_half_even(acc * x_scale * w_scale / y_scale) + y_zero_point, saturated.
// w_scale / w_zero_point may hold one value per output channel. Attributes as Conv; 1-D to 3-D.
#include <string>
#include <vector>

#include "engine/cpu/quant_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class QLinearConvKernel final : public exec::Kernel {
 public:
  explicit QLinearConvKernel(IntConvAttrs attrs) : attrs_(std::move(attrs)) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& w = *inputs[3];
    const Tensor& x_zp = *inputs[2];
    const Tensor& w_zp = *inputs[5];
    const Tensor& y_zp = *inputs[7];
    const Tensor* bias = inputs.size() > 8 ? inputs[8] : nullptr;
    for (size_t i : {size_t{0}, size_t{2}, size_t{3}, size_t{5}, size_t{7}}) {
      RETURN_IF_ERROR(
          exec::check_dtype(*inputs[i], i, "QLinearConv", {DataType::kInt8, DataType::kUInt8}));
    }
    if (x_zp.dtype() != x.dtype() || w_zp.dtype() != w.dtype()) {
      return invalid_argument("x_zero_point and w_zero_point must have the dtypes of x and w");
    }
    const DataType scale_dtype = inputs[1]->dtype();
    ASSIGN_OR_RETURN(std::vector<float> x_scale, read_scales(*inputs[1], "x_scale"));
    ASSIGN_OR_RETURN(std::vector<float> w_scale, read_scales(*inputs[4], "w_scale"));
    ASSIGN_OR_RETURN(std::vector<float> y_scale, read_scales(*inputs[6], "y_scale"));
    if (x_scale.size() != 1 || y_scale.size() != 1 || x_zp.num_elements() != 1 ||
        y_zp.num_elements() != 1) {
      return invalid_argument(
          "x_scale, x_zero_point, y_scale and y_zero_point must hold one value");
    }
    ASSIGN_OR_RETURN(IntConvShape s, resolve_int_conv(attrs_, x, w, "x", "w"));
    const int64_t m = s.m;
    ASSIGN_OR_RETURN(w_scale, expand_param(w_scale, m, "w_scale"));
    ASSIGN_OR_RETURN(std::vector<int32_t> wzp,
                     expand_param(widen_quantized(w_zp), m, "w_zero_point"));
    std::vector<int32_t> b(static_cast<size_t>(m), 0);
    if (bias != nullptr) {
      RETURN_IF_ERROR(exec::check_dtype(*bias, 8, "QLinearConv", {DataType::kInt32}));
      if (bias->shape() != Shape{m}) {
        return invalid_argument("B " + shape_to_string(bias->shape()) + " must be [" +
                                std::to_string(m) + "]");
      }
      b = bias->to_vector<int32_t>();
    }
    std::vector<double> mult(static_cast<size_t>(m));
    for (int64_t oc = 0; oc < m; ++oc) {
      const float xw =
          round_to_scale_dtype(x_scale[0] * w_scale[static_cast<size_t>(oc)], scale_dtype);
      mult[static_cast<size_t>(oc)] = round_to_scale_dtype(xw / y_scale[0], scale_dtype);
    }
    const int32_t xzp = widen_quantized(x_zp)[0];
    const int32_t yzp = widen_quantized(y_zp)[0];
    Tensor y = Tensor::allocate(y_zp.dtype(), s.y_shape);
    const DataType out_dtype = y.dtype();
    uint8_t* po = static_cast<uint8_t*>(y.mutable_raw_data());
    for_each_int_conv_output(
        s, attrs_.group, widen_quantized(x), widen_quantized(w), xzp, wzp, ctx,
        [&](int64_t index, int64_t oc, int64_t acc) {
          const size_t c = static_cast<size_t>(oc);
          po[index] = static_cast<uint8_t>(requantize(acc + b[c], mult[c], yzp, out_dtype));
        });
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  IntConvAttrs attrs_;
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 8, 9));
  ASSIGN_OR_RETURN(IntConvAttrs attrs, parse_int_conv_attrs(node));
  return exec::make_kernel<QLinearConvKernel>(std::move(attrs));
}

MH_REGISTER_CPU_KERNEL(QLinearConv, 10, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

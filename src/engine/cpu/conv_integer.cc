// ConvInteger (opset 10+): int32 Y = Conv(X - x_zero_point, W - w_zero_point) without bias, for
// int8 / uint8 X and W; x_zero_point is a scalar, w_zero_point a scalar or one value per output
// channel. Attributes as Conv (auto_pad, dilations, group, kernel_shape, pads, strides); 1-D to
// 3-D. A direct loop: integer convolutions are served for correctness, not speed.
#include <string>
#include <vector>

#include "engine/cpu/quant_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class ConvIntegerKernel final : public exec::Kernel {
 public:
  explicit ConvIntegerKernel(IntConvAttrs attrs) : attrs_(std::move(attrs)) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& w = *inputs[1];
    RETURN_IF_ERROR(exec::check_dtype(x, 0, "ConvInteger", {DataType::kInt8, DataType::kUInt8}));
    RETURN_IF_ERROR(exec::check_dtype(w, 1, "ConvInteger", {DataType::kInt8, DataType::kUInt8}));
    ASSIGN_OR_RETURN(IntConvShape s, resolve_int_conv(attrs_, x, w, "X", "W"));
    const int64_t m = s.m;
    int32_t xzp = 0;
    if (inputs.size() > 2 && inputs[2] != nullptr) {
      const Tensor& z = *inputs[2];
      if (z.dtype() != x.dtype() || z.num_elements() != 1) {
        return invalid_argument("x_zero_point must be one value of X's dtype, got " +
                                std::string(dtype_name(z.dtype())) + " " +
                                shape_to_string(z.shape()));
      }
      xzp = widen_quantized(z)[0];
    }
    std::vector<int32_t> wzp(static_cast<size_t>(m), 0);
    if (inputs.size() > 3 && inputs[3] != nullptr) {
      const Tensor& z = *inputs[3];
      if (z.dtype() != w.dtype() || (z.num_elements() != 1 && z.num_elements() != m)) {
        return invalid_argument("w_zero_point must be of W's dtype and hold 1 or " +
                                std::to_string(m) + " values, got " +
                                std::string(dtype_name(z.dtype())) + " " +
                                shape_to_string(z.shape()));
      }
      const std::vector<int32_t> v = widen_quantized(z);
      for (int64_t i = 0; i < m; ++i)
        wzp[static_cast<size_t>(i)] = v.size() == 1 ? v[0] : v[static_cast<size_t>(i)];
    }
    Tensor y = Tensor::allocate(DataType::kInt32, s.y_shape);
    int32_t* po = y.mutable_data<int32_t>();
    for_each_int_conv_output(
        s, attrs_.group, widen_quantized(x), widen_quantized(w), xzp, wzp, ctx,
        [&](int64_t index, int64_t, int64_t acc) { po[index] = static_cast<int32_t>(acc); });
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  IntConvAttrs attrs_;
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 4));
  ASSIGN_OR_RETURN(IntConvAttrs attrs, parse_int_conv_attrs(node));
  return exec::make_kernel<ConvIntegerKernel>(std::move(attrs));
}

MH_REGISTER_CPU_KERNEL(ConvInteger, 10, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

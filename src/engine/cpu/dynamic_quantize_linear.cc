// DynamicQuantizeLinear (opset 11+): float32 x -> (y uint8, y_scale float32 scalar,
// y_zero_point uint8 scalar) over the range [min(0, min x), max(0, max x)]:
// scale = range / 255 (1 / 255 for an all-zero x), zero_point = round(clamp(-min / scale, 0, 255)),
// y = clamp(round(x / scale) + zero_point, 0, 255), rounding half to even.
#include <algorithm>
#include <cmath>

#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class DynamicQuantizeLinearKernel final : public exec::Kernel {
 public:
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    RETURN_IF_ERROR(exec::check_dtype(x, 0, "DynamicQuantizeLinear", {DataType::kFloat32}));
    const float* in = x.data<float>();
    float lo = 0.0f, hi = 0.0f;
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      if (std::isnan(in[i])) return invalid_argument("input holds NaN; it cannot be quantized");
      lo = std::min(lo, in[i]);
      hi = std::max(hi, in[i]);
    }
    const float scale = (hi == lo ? 1.0f : hi - lo) / 255.0f;
    const float zp = std::nearbyint(std::clamp(0.0f - lo / scale, 0.0f, 255.0f));
    Tensor y = Tensor::allocate(DataType::kUInt8, x.shape());
    uint8_t* o = y.mutable_data<uint8_t>();
    exec::parallel_for(ctx, x.num_elements(), 1 << 14, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        o[i] = static_cast<uint8_t>(std::clamp(std::nearbyint(in[i] / scale) + zp, 0.0f, 255.0f));
      }
    });
    outputs[0] = std::move(y);
    if (outputs.size() > 1) outputs[1] = Tensor::from_vector<float>({}, {scale});
    if (outputs.size() > 2) {
      outputs[2] = Tensor::from_vector<uint8_t>({}, {static_cast<uint8_t>(zp)});
    }
    return Status::ok_status();
  }
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1, 3));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<DynamicQuantizeLinearKernel>();
}

MH_REGISTER_CPU_KERNEL(DynamicQuantizeLinear, 11, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

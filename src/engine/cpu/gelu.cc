// Gelu (opset 20): x * Phi(x), exact (approximate="none") or with the tanh approximation
// (approximate="tanh"); float types. The exact form in float32 is cpu/vec_math.h's, the one
// FusedMatMul and FusedConv apply when they absorb a Gelu; other types use libm's erf.
#include <algorithm>
#include <cmath>

#include "engine/cpu/activation.h"
#include "engine/cpu/unary.h"
#include "engine/cpu/vec_math.h"
#include "engine/exec/kernel_registry.h"
#include "engine/ir/tensor_alloc.h"

namespace modelhost::engine::cpu {
namespace {

class ExactGeluKernel final : public exec::Kernel {
 public:
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    if (x.dtype() != DataType::kFloat32) {
      return float_unary(ctx, x, outputs[0], "Gelu", [](auto v) {
        using T = decltype(v);
        return T(0.5) * v * (T(1) + std::erf(v * T(0.70710678118654752440)));
      });
    }
    outputs[0] = map_float_inplace(ctx, x, outputs[0], gelu_inplace);
    return Status::ok_status();
  }
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"approximate"}));
  ASSIGN_OR_RETURN(const std::string approximate,
                   node.attributes.get_string("approximate", "none"));
  if (approximate == "none") return exec::make_kernel<ExactGeluKernel>();
  if (approximate == "tanh") {
    return make_float_unary("Gelu", [](auto v) {
      using T = decltype(v);
      const T k = T(0.79788456080286535588);  // sqrt(2 / pi)
      return T(0.5) * v * (T(1) + std::tanh(k * (v + T(0.044715) * v * v * v)));
    });
  }
  return invalid_argument("attribute \"approximate\" must be \"none\" or \"tanh\", got \"" +
                          approximate + "\"");
}

MH_REGISTER_CPU_KERNEL(Gelu, 20, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

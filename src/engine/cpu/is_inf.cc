// IsInf: bool output, true where x is +inf (detect_positive) or -inf (detect_negative); float
// types.
#include <cmath>
#include <limits>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class IsInfKernel final : public exec::Kernel {
 public:
  IsInfKernel(bool negative, bool positive) : negative_(negative), positive_(positive) {}
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const bool neg = negative_, pos = positive_;
    return float_predicate<bool>(ctx, *inputs[0], outputs[0], "IsInf", [neg, pos](auto v) {
      using T = decltype(v);
      return (pos && v == std::numeric_limits<T>::infinity()) ||
             (neg && v == -std::numeric_limits<T>::infinity());
    });
  }

 private:
  bool negative_, positive_;
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"detect_negative", "detect_positive"}));
  ASSIGN_OR_RETURN(const int64_t negative, node.attributes.get_int("detect_negative", 1));
  ASSIGN_OR_RETURN(const int64_t positive, node.attributes.get_int("detect_positive", 1));
  return exec::make_kernel<IsInfKernel>(negative != 0, positive != 0);
}

MH_REGISTER_CPU_KERNEL(IsInf, 10, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

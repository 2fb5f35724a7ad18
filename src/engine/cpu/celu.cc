// Celu: max(0, x) + min(0, alpha * (e^(x / alpha) - 1)); elementwise over float32, float64, float16 and bfloat16.
#include <algorithm>
#include <cmath>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"alpha"}));
  ASSIGN_OR_RETURN(const float alpha, node.attributes.get_float("alpha", 1.0f));
  return make_float_unary("Celu", [alpha](auto v) {
    using T = decltype(v);
    return std::max(T(0), v) + std::min(T(0), T(alpha) * (std::exp(v / T(alpha)) - T(1)));
  });
}

MH_REGISTER_CPU_KERNEL(Celu, 12, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

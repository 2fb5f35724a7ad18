// Swish (opset 24+): x * sigmoid(alpha * x), alpha defaulting to 1; elementwise over float32,
// float64, float16 and bfloat16.
#include <cmath>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"alpha"}));
  ASSIGN_OR_RETURN(float alpha, node.attributes.get_float("alpha", 1.0f));
  return make_float_unary("Swish", [alpha](auto v) {
    using T = decltype(v);
    return v / (T(1) + std::exp(-static_cast<T>(alpha) * v));
  });
}

MH_REGISTER_CPU_KERNEL(Swish, 24, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

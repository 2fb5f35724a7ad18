// ThresholdedRelu: x if x > alpha, else 0; elementwise over float32, float64, float16 and bfloat16.
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
  return make_float_unary("ThresholdedRelu", [alpha](auto v) {
    using T = decltype(v);
    return v > T(alpha) ? v : T(0);
  });
}

MH_REGISTER_CPU_KERNEL(ThresholdedRelu, 10, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

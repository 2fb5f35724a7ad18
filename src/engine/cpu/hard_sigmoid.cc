// HardSigmoid: max(0, min(1, alpha * x + beta)); elementwise over float32, float64, float16 and bfloat16.
#include <algorithm>
#include <cmath>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"alpha", "beta"}));
  ASSIGN_OR_RETURN(const float alpha, node.attributes.get_float("alpha", 0.2f));
  ASSIGN_OR_RETURN(const float beta, node.attributes.get_float("beta", 0.5f));
  return make_float_unary("HardSigmoid", [alpha, beta](auto v) {
    using T = decltype(v);
    return std::max(T(0), std::min(T(1), T(alpha) * v + T(beta)));
  });
}

MH_REGISTER_CPU_KERNEL(HardSigmoid, 6, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

// Selu: gamma * (x if x > 0, else alpha * (e^x - 1)); elementwise over float32, float64, float16 and bfloat16.
#include <algorithm>
#include <cmath>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"alpha", "gamma"}));
  ASSIGN_OR_RETURN(const float alpha, node.attributes.get_float("alpha", 1.6732631921768188f));
  ASSIGN_OR_RETURN(const float gamma, node.attributes.get_float("gamma", 1.0507010221481323f));
  return make_float_unary("Selu", [alpha, gamma](auto v) {
    using T = decltype(v);
    return v > T(0) ? T(gamma) * v : T(gamma) * (T(alpha) * std::exp(v) - T(alpha));
  });
}

MH_REGISTER_CPU_KERNEL(Selu, 6, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

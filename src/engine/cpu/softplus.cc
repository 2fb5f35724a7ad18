// Softplus: log(exp(x) + 1), computed without overflow; elementwise over float32, float64, float16 and bfloat16.
#include <algorithm>
#include <cmath>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return make_float_unary("Softplus", [](auto v) {
    using T = decltype(v);
    return v > T(0) ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v));
  });
}

MH_REGISTER_CPU_KERNEL(Softplus, 1, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

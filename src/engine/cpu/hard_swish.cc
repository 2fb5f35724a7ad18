// HardSwish: x * max(0, min(1, x / 6 + 0.5)); elementwise over float32, float64, float16 and bfloat16.
#include <algorithm>
#include <cmath>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return make_float_unary("HardSwish", [](auto v) {
    using T = decltype(v);
    return v * std::max(T(0), std::min(T(1), v * T(1.0 / 6.0) + T(0.5)));
  });
}

MH_REGISTER_CPU_KERNEL(HardSwish, 14, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

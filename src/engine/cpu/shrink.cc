// Shrink: x + bias if x < -lambd, x - bias if x > lambd, else 0; elementwise over float32, float64, float16 and bfloat16.
#include <algorithm>
#include <cmath>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"bias", "lambd"}));
  ASSIGN_OR_RETURN(const float bias, node.attributes.get_float("bias", 0.0f));
  ASSIGN_OR_RETURN(const float lambd, node.attributes.get_float("lambd", 0.5f));
  return make_float_unary("Shrink", [bias, lambd](auto v) {
    using T = decltype(v);
    return v < -T(lambd) ? v + T(bias) : (v > T(lambd) ? v - T(bias) : T(0));
  });
}

MH_REGISTER_CPU_KERNEL(Shrink, 9, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

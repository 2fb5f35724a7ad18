// Erf: the error function; elementwise over float32, float64, float16 and bfloat16.
#include <algorithm>
#include <cmath>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return make_float_unary("Erf", [](auto v) {
    return std::erf(v);
  });
}

MH_REGISTER_CPU_KERNEL(Erf, 9, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

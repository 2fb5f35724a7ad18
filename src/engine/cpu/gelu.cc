// Gelu (opset 20): x * Phi(x), exact (approximate="none") or with the tanh approximation
// (approximate="tanh"); float types.
#include <cmath>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"approximate"}));
  ASSIGN_OR_RETURN(const std::string approximate,
                   node.attributes.get_string("approximate", "none"));
  if (approximate == "none") {
    return make_float_unary("Gelu", [](auto v) {
      using T = decltype(v);
      return T(0.5) * v * (T(1) + std::erf(v * T(0.70710678118654752440)));
    });
  }
  if (approximate == "tanh") {
    return make_float_unary("Gelu", [](auto v) {
      using T = decltype(v);
      const T k = T(0.79788456080286535588);  // sqrt(2 / pi)
      return T(0.5) * v * (T(1) + std::tanh(k * (v + T(0.044715) * v * v * v)));
    });
  }
  return invalid_argument("attribute \"approximate\" must be \"none\" or \"tanh\", got \"" +
                          approximate + "\"");
}

MH_REGISTER_CPU_KERNEL(Gelu, 20, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

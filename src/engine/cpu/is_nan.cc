// IsNaN: bool output, true where x is NaN; float types.
#include <cmath>

#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct IsNaN {
  Status operator()(const exec::KernelContext& ctx, const Tensor& x, Tensor& out) const {
    return float_predicate<bool>(ctx, x, out, "IsNaN", [](auto v) { return v != v; });
  }
};

MH_REGISTER_CPU_KERNEL(IsNaN, 9, exec::kMaxOpset, make_unary<IsNaN>);

}  // namespace
}  // namespace modelhost::engine::cpu

// GreaterOrEqual: bool output, a >= b; every numeric dtype, with numpy broadcasting.
#include "engine/cpu/compare.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct GreaterOrEqualOp {
  template <typename T>
  bool operator()(T a, T b) const {
    return a >= b;
  }
};

MH_REGISTER_CPU_KERNEL(GreaterOrEqual, 12, exec::kMaxOpset,
                       (broadcast_binary_factory<GreaterOrEqualOp, bool>("GreaterOrEqual", numeric_types(false))));

}  // namespace
}  // namespace modelhost::engine::cpu

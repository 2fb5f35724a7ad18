// LessOrEqual: bool output, a <= b; every numeric dtype, with numpy broadcasting.
#include "engine/cpu/compare.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct LessOrEqualOp {
  template <typename T>
  bool operator()(T a, T b) const {
    return a <= b;
  }
};

MH_REGISTER_CPU_KERNEL(LessOrEqual, 12, exec::kMaxOpset,
                       (broadcast_binary_factory<LessOrEqualOp, bool>("LessOrEqual", numeric_types(false))));

}  // namespace
}  // namespace modelhost::engine::cpu

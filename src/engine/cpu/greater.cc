// Greater: bool output, a > b; every numeric dtype, with numpy broadcasting.
#include "engine/cpu/compare.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct GreaterOp {
  template <typename T>
  bool operator()(T a, T b) const {
    return a > b;
  }
};

MH_REGISTER_CPU_KERNEL(Greater, 7, exec::kMaxOpset,
                       (broadcast_binary_factory<GreaterOp, bool>("Greater", numeric_types(false))));

}  // namespace
}  // namespace modelhost::engine::cpu

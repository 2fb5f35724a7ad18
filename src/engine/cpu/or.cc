// Or: logical or of two bool tensors, with numpy broadcasting.
#include "engine/cpu/compare.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct OrOp {
  template <typename T>
  bool operator()(T a, T b) const {
    return a || b;
  }
};

MH_REGISTER_CPU_KERNEL(Or, 7, exec::kMaxOpset,
                       (broadcast_binary_factory<OrOp, bool>("Or", {DataType::kBool})));

}  // namespace
}  // namespace modelhost::engine::cpu

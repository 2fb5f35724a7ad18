// And: logical and of two bool tensors, with numpy broadcasting.
#include "engine/cpu/compare.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct AndOp {
  template <typename T>
  bool operator()(T a, T b) const {
    return a && b;
  }
};

MH_REGISTER_CPU_KERNEL(And, 7, exec::kMaxOpset,
                       (broadcast_binary_factory<AndOp, bool>("And", {DataType::kBool})));

}  // namespace
}  // namespace modelhost::engine::cpu

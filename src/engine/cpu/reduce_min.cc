// ReduceMin (opset 7..21): minimum over `axes` (all dims when none), keepdims; axes move from the
// attribute to an optional int64 input at opset 18, which also adds noop_with_empty_axes.
// float32, float64, int32, int64, int8, uint8 (and bool for ReduceMax / ReduceMin).
#include "engine/cpu/reduce_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

Result<std::unique_ptr<exec::Kernel>> make_reduce_min(const ir::Node& node) {
  return make_reduce(node, "ReduceMin", ReduceOp::kMin, 18);
}

MH_REGISTER_CPU_KERNEL(ReduceMin, 7, 17, make_reduce_min);
MH_REGISTER_CPU_KERNEL(ReduceMin, 18, exec::kMaxOpset, make_reduce_min);

}  // namespace
}  // namespace modelhost::engine::cpu

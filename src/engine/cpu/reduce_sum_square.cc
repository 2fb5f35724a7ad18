// ReduceSumSquare (opset 7..21): sum of squares over `axes` (all dims when none), keepdims; axes
// move from the attribute to an optional int64 input at opset 18, which also adds
// noop_with_empty_axes. float32, float64, int32, int64, int8, uint8 (and bool for ReduceMax /
// ReduceMin).
#include "engine/cpu/reduce_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

Result<std::unique_ptr<exec::Kernel>> make_reduce_sum_square(const ir::Node& node) {
  return make_reduce(node, "ReduceSumSquare", ReduceOp::kSumSquare, 18);
}

MH_REGISTER_CPU_KERNEL(ReduceSumSquare, 7, 17, make_reduce_sum_square);
MH_REGISTER_CPU_KERNEL(ReduceSumSquare, 18, exec::kMaxOpset, make_reduce_sum_square);

}  // namespace
}  // namespace modelhost::engine::cpu

// ArgMin (opset 7..21): index of the minimum along `axis` (default 0), keepdims (default 1),
// select_last_index from opset 12. Output int64. float32, float64, int32, int64.
#include "engine/cpu/arg_reduce.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

Result<std::unique_ptr<exec::Kernel>> make_arg_min(const ir::Node& node) {
  return make_arg_reduce(node, "ArgMin", /*is_max=*/false);
}

MH_REGISTER_CPU_KERNEL(ArgMin, 7, exec::kMaxOpset, make_arg_min);

}  // namespace
}  // namespace modelhost::engine::cpu

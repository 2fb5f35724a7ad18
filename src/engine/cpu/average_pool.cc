// AveragePool (opset 7..21): N-D average pooling with pads / auto_pad, strides,
// count_include_pad, ceil_mode (10+) and dilations (19+). float32 and float64.
#include "engine/cpu/pool_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

Result<std::unique_ptr<exec::Kernel>> make_average_pool(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"auto_pad", "ceil_mode", "count_include_pad",
                                                "dilations", "kernel_shape", "pads", "strides"}));
  ASSIGN_OR_RETURN(WindowAttrs attrs, parse_window_attrs(node, /*kernel_required=*/true));
  ASSIGN_OR_RETURN(int64_t include_pad, node.attributes.get_int("count_include_pad", 0));
  return exec::make_kernel<PoolKernel>("AveragePool", PoolKind::kAverage, std::move(attrs), false,
                                       include_pad != 0, 0.0, false);
}

MH_REGISTER_CPU_KERNEL(AveragePool, 7, exec::kMaxOpset, make_average_pool);

}  // namespace
}  // namespace modelhost::engine::cpu

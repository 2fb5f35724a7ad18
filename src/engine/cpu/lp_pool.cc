// LpPool (opset 7..21): (sum |x|^p)^(1/p) over each window, padding excluded; ceil_mode and
// dilations from 18. float32 and float64.
#include "engine/cpu/pool_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

Result<std::unique_ptr<exec::Kernel>> make_lp_pool(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(
      node, {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "p", "pads", "strides"}));
  ASSIGN_OR_RETURN(WindowAttrs attrs, parse_window_attrs(node, /*kernel_required=*/true));
  ASSIGN_OR_RETURN(int64_t p, node.attributes.get_int("p", 2));
  if (p < 1) return invalid_argument("p must be >= 1");
  return exec::make_kernel<PoolKernel>("LpPool", PoolKind::kLp, std::move(attrs), false, false,
                                       static_cast<double>(p), false);
}

MH_REGISTER_CPU_KERNEL(LpPool, 7, exec::kMaxOpset, make_lp_pool);

}  // namespace
}  // namespace modelhost::engine::cpu

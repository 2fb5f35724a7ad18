// GlobalAveragePool (opset 7..21): average over all spatial dims, [N, C, d...] -> [N, C, 1...].
// float32 and float64.
#include "engine/cpu/pool_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

Result<std::unique_ptr<exec::Kernel>> make_global_average_pool(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<PoolKernel>("GlobalAveragePool", PoolKind::kAverage, WindowAttrs{}, true,
                                       false, 0.0, false);
}

MH_REGISTER_CPU_KERNEL(GlobalAveragePool, 7, exec::kMaxOpset, make_global_average_pool);

}  // namespace
}  // namespace modelhost::engine::cpu

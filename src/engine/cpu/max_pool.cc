// MaxPool (opset 7..21): N-D max pooling with pads / auto_pad, strides, dilations (10+),
// ceil_mode (10+), and the optional Indices output (8+; flat indices into the input, row-major
// or, with storage_order = 1, column-major over the spatial dims). float32, float64, int8, uint8.
#include "engine/cpu/pool_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

Result<std::unique_ptr<exec::Kernel>> make_max_pool(const ir::Node& node) {
  const size_t max_outputs = node.opset >= 8 ? 2 : 1;
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1, max_outputs));
  RETURN_IF_ERROR(exec::check_attributes(
      node,
      {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"}));
  ASSIGN_OR_RETURN(WindowAttrs attrs, parse_window_attrs(node, /*kernel_required=*/true));
  ASSIGN_OR_RETURN(int64_t storage_order, node.attributes.get_int("storage_order", 0));
  if (storage_order != 0 && storage_order != 1) {
    return invalid_argument("storage_order must be 0 or 1");
  }
  return exec::make_kernel<PoolKernel>("MaxPool", PoolKind::kMax, std::move(attrs), false, false,
                                       0.0, storage_order == 1);
}

MH_REGISTER_CPU_KERNEL(MaxPool, 7, exec::kMaxOpset, make_max_pool);

}  // namespace
}  // namespace modelhost::engine::cpu

// Identity: the output is the input (same buffer; tensors are immutable once produced).
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class IdentityKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    return exec::propagate_dtype(inputs, outputs);
  }
  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    outputs[0] = *inputs[0];
    return Status::ok_status();
  }
};

Result<std::unique_ptr<exec::Kernel>> make_identity(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<IdentityKernel>();
}

MH_REGISTER_CPU_SHAPE_KERNEL(Identity, 1, exec::kMaxOpset, make_identity, 0b1, true);

}  // namespace
}  // namespace modelhost::engine::cpu

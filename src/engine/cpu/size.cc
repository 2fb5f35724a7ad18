// Size: the input's element count as an int64 scalar.
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class SizeKernel final : public exec::Kernel {
 public:
  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    outputs[0] = Tensor::from_vector<int64_t>({}, {inputs[0]->num_elements()});
    return Status::ok_status();
  }
};

Result<std::unique_ptr<exec::Kernel>> make_size(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<SizeKernel>();
}

MH_REGISTER_CPU_SHAPE_KERNEL(Size, 1, exec::kMaxOpset, make_size, 0b1, false);

}  // namespace
}  // namespace modelhost::engine::cpu

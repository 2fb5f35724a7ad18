// Flatten: [d0..dn) -> [prod(d[:axis]), prod(d[axis:])], axis in [-rank, rank], default 1.
// The output shares the input's buffer.
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class FlattenKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    return exec::propagate_dtype(inputs, outputs);
  }
  explicit FlattenKernel(int64_t axis) : axis_(axis) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const int64_t rank = x.rank();
    int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    if (axis < 0 || axis > rank) {
      return invalid_argument("axis " + std::to_string(axis_) + " is out of range for rank " +
                              std::to_string(rank));
    }
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < rank; ++i)
      (i < axis ? outer : inner) *= x.shape()[static_cast<size_t>(i)];
    outputs[0] = x.reshaped({outer, inner});
    return Status::ok_status();
  }

 private:
  int64_t axis_;
};

Result<std::unique_ptr<exec::Kernel>> make_flatten(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"axis"}));
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", 1));
  return exec::make_kernel<FlattenKernel>(axis);
}

MH_REGISTER_CPU_SHAPE_KERNEL(Flatten, 1, exec::kMaxOpset, make_flatten, 0b1, true);

}  // namespace
}  // namespace modelhost::engine::cpu

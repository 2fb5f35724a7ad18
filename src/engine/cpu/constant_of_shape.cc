// ConstantOfShape: a tensor of the int64 input's shape filled with the one-element `value`
// attribute (default float32 0), in value's dtype.
#include <cstring>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class ConstantOfShapeKernel final : public exec::Kernel {
 public:
  explicit ConstantOfShapeKernel(Tensor value) : value_(std::move(value)) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    RETURN_IF_ERROR(exec::check_dtype(*inputs[0], 0, "ConstantOfShape", {DataType::kInt64}));
    if (inputs[0]->rank() != 1) {
      return invalid_argument("shape must be 1-D, got " + shape_to_string(inputs[0]->shape()));
    }
    const Shape shape = inputs[0]->to_vector<int64_t>();
    ASSIGN_OR_RETURN(Tensor y, allocate_checked(value_.dtype(), shape));
    const size_t elem = dtype_size(value_.dtype());
    auto* dst = static_cast<uint8_t*>(y.mutable_raw_data());
    const auto* v = static_cast<const uint8_t*>(value_.raw_data());
    bool zero = true;
    for (size_t i = 0; i < elem; ++i) zero = zero && v[i] == 0;
    if (!zero) {
      for (int64_t i = 0; i < y.num_elements(); ++i) copy_elem(dst + static_cast<size_t>(i) * elem, v, elem);
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  Tensor value_;
};

Result<std::unique_ptr<exec::Kernel>> make_constant_of_shape(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"value"}));
  Tensor value = Tensor::from_vector<float>({1}, {0.0f});
  if (node.attributes.has("value")) {
    ASSIGN_OR_RETURN(value, node.attributes.get_tensor("value"));
    if (value.num_elements() != 1) {
      return invalid_argument("value must hold one element, got " + shape_to_string(value.shape()));
    }
  }
  return exec::make_kernel<ConstantOfShapeKernel>(std::move(value));
}

MH_REGISTER_CPU_KERNEL(ConstantOfShape, 9, exec::kMaxOpset, make_constant_of_shape);

}  // namespace
}  // namespace modelhost::engine::cpu

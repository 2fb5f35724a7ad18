// PRelu: x if x >= 0, else slope * x, with slope broadcast to x's shape (unidirectional); float
// types and (opset 16+, accepted at every opset) integers.
#include "engine/cpu/compare.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct PReluOp {
  template <typename T>
  T operator()(T x, T slope) const {
    return x < T(0) ? static_cast<T>(slope * x) : x;
  }
};

const std::vector<DataType>& prelu_types() {
  static const std::vector<DataType> types = {
      DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kBFloat16,
      DataType::kInt32,   DataType::kInt64,   DataType::kUInt32,  DataType::kUInt64};
  return types;
}

class PReluKernel final : public exec::Kernel {
 public:
  PReluKernel() : binary_("PRelu", prelu_types()) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    ASSIGN_OR_RETURN(Shape shape, broadcast_shape(inputs[0]->shape(), inputs[1]->shape()));
    if (shape != inputs[0]->shape()) {
      return invalid_argument("slope of shape " + shape_to_string(inputs[1]->shape()) +
                              " does not broadcast to X of shape " +
                              shape_to_string(inputs[0]->shape()));
    }
    return binary_.compute(ctx, inputs, outputs);
  }

 private:
  BroadcastBinaryKernel<PReluOp, void> binary_;
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<PReluKernel>();
}

MH_REGISTER_CPU_KERNEL(PRelu, 7, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

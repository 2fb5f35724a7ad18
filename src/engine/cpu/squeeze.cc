// Squeeze: drops the listed dims of size 1 (all of them without axes). axes is an attribute
// before opset 13 and an optional int64 input from 13. The output shares the input's buffer.
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class SqueezeKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    return exec::propagate_dtype(inputs, outputs);
  }
  SqueezeKernel(std::vector<int64_t> axes, bool axes_input)
      : axes_(std::move(axes)), axes_input_(axes_input) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    std::vector<int64_t> axes = axes_;
    if (axes_input_ && inputs.size() > 1 && inputs[1] != nullptr) {
      ASSIGN_OR_RETURN(axes, read_int_tensor(*inputs[1], 1, "Squeeze"));
    }
    ASSIGN_OR_RETURN(axes, normalize_axes(axes, x.rank()));
    std::vector<bool> drop(x.shape().size(), false);
    if (axes.empty()) {
      for (size_t d = 0; d < drop.size(); ++d) drop[d] = x.shape()[d] == 1;
    }
    for (int64_t a : axes) {
      if (x.shape()[static_cast<size_t>(a)] != 1) {
        return invalid_argument("cannot squeeze axis " + std::to_string(a) + " of " +
                                shape_to_string(x.shape()) + ": its size is not 1");
      }
      drop[static_cast<size_t>(a)] = true;
    }
    Shape shape;
    for (size_t d = 0; d < drop.size(); ++d) {
      if (!drop[d]) shape.push_back(x.shape()[d]);
    }
    outputs[0] = x.reshaped(std::move(shape));
    return Status::ok_status();
  }

 private:
  std::vector<int64_t> axes_;
  bool axes_input_;
};

Result<std::unique_ptr<exec::Kernel>> make_squeeze(const ir::Node& node) {
  const bool axes_input = node.opset >= 13;
  RETURN_IF_ERROR(exec::check_arity(node, 1, axes_input ? 2 : 1));
  RETURN_IF_ERROR(axes_input ? exec::check_attributes(node, {})
                             : exec::check_attributes(node, {"axes"}));
  ASSIGN_OR_RETURN(std::vector<int64_t> axes, node.attributes.get_ints("axes", {}));
  return exec::make_kernel<SqueezeKernel>(std::move(axes), axes_input);
}

MH_REGISTER_CPU_SHAPE_KERNEL(Squeeze, 1, exec::kMaxOpset, make_squeeze, 0b1, true);

}  // namespace
}  // namespace modelhost::engine::cpu

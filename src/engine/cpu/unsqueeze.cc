// Unsqueeze: inserts dims of size 1 at `axes` (positions in the output, negative count from its
// end). axes is an attribute before opset 13 and an int64 input from 13. Shares the buffer.
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class UnsqueezeKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    return exec::propagate_dtype(inputs, outputs);
  }
  UnsqueezeKernel(std::vector<int64_t> axes, bool axes_input)
      : axes_(std::move(axes)), axes_input_(axes_input) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    std::vector<int64_t> axes = axes_;
    if (axes_input_) {
      ASSIGN_OR_RETURN(axes, read_int_tensor(*inputs[1], 1, "Unsqueeze"));
    }
    const int64_t out_rank = x.rank() + static_cast<int64_t>(axes.size());
    ASSIGN_OR_RETURN(axes, normalize_axes(axes, out_rank));
    std::vector<bool> inserted(static_cast<size_t>(out_rank), false);
    for (int64_t a : axes) inserted[static_cast<size_t>(a)] = true;
    Shape shape;
    size_t j = 0;
    for (size_t d = 0; d < inserted.size(); ++d) {
      shape.push_back(inserted[d] ? 1 : x.shape()[j++]);
    }
    outputs[0] = x.reshaped(std::move(shape));
    return Status::ok_status();
  }

 private:
  std::vector<int64_t> axes_;
  bool axes_input_;
};

Result<std::unique_ptr<exec::Kernel>> make_unsqueeze(const ir::Node& node) {
  const bool axes_input = node.opset >= 13;
  RETURN_IF_ERROR(exec::check_arity(node, axes_input ? 2 : 1, axes_input ? 2 : 1));
  RETURN_IF_ERROR(axes_input ? exec::check_attributes(node, {})
                             : exec::check_attributes(node, {"axes"}));
  if (!axes_input && !node.attributes.has("axes")) {
    return invalid_argument("attribute \"axes\" is required");
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> axes, node.attributes.get_ints("axes", {}));
  return exec::make_kernel<UnsqueezeKernel>(std::move(axes), axes_input);
}

MH_REGISTER_CPU_SHAPE_KERNEL(Unsqueeze, 1, exec::kMaxOpset, make_unsqueeze, 0b1, true);

}  // namespace
}  // namespace modelhost::engine::cpu

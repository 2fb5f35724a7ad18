// MaxUnpool (opset 9+): scatters X [N, C, D1...] into zeros at the flat positions `I` (as
// produced by MaxPool's Indices output) of a tensor of the inferred shape
// (X_d - 1) * stride_d - pad_begin_d - pad_end_d + kernel_d; the optional output_shape input
// makes the result larger, the inferred tensor sitting at its origin. Every float dtype and the
// integer dtypes (elements are moved, not computed).
#include <string>
#include <vector>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class MaxUnpoolKernel final : public exec::Kernel {
 public:
  MaxUnpoolKernel(std::vector<int64_t> kernel, std::vector<int64_t> pads,
                  std::vector<int64_t> strides)
      : kernel_(std::move(kernel)), pads_(std::move(pads)), strides_(std::move(strides)) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& ind = *inputs[1];
    const size_t nd = kernel_.size();
    if (x.rank() != static_cast<int64_t>(nd) + 2) {
      return invalid_argument("X " + shape_to_string(x.shape()) + " must have rank " +
                              std::to_string(nd + 2) + " for kernel_shape " +
                              shape_to_string(kernel_));
    }
    if (ind.shape() != x.shape()) {
      return invalid_argument("I " + shape_to_string(ind.shape()) + " must have the shape of X " +
                              shape_to_string(x.shape()));
    }
    ASSIGN_OR_RETURN(std::vector<int64_t> idx, read_int_tensor(ind, 1, "MaxUnpool"));
    Shape inferred{x.shape()[0], x.shape()[1]};
    for (size_t d = 0; d < nd; ++d) {
      const int64_t v =
          (x.shape()[d + 2] - 1) * strides_[d] - (pads_[d] + pads_[d + nd]) + kernel_[d];
      if (v < 0)
        return invalid_argument("the inferred output dim " + std::to_string(d) + " is negative");
      inferred.push_back(v);
    }
    Shape out_shape = inferred;
    if (inputs.size() > 2 && inputs[2] != nullptr) {
      ASSIGN_OR_RETURN(out_shape, read_int_tensor(*inputs[2], 2, "MaxUnpool"));
      bool ok = out_shape.size() == inferred.size();
      for (size_t d = 0; ok && d < inferred.size(); ++d) ok = out_shape[d] >= inferred[d];
      if (!ok) {
        return invalid_argument("output_shape " + shape_to_string(out_shape) + " must have rank " +
                                std::to_string(inferred.size()) +
                                " and contain the inferred shape " + shape_to_string(inferred));
      }
    }
    ASSIGN_OR_RETURN(int64_t inferred_size, checked_num_elements(inferred, dtype_size(x.dtype())));
    ASSIGN_OR_RETURN(Tensor y, allocate_checked(x.dtype(), out_shape));
    // Flat positions in the inferred shape, mapped to the (possibly larger) output.
    const std::vector<int64_t> in_strides = strides_of(inferred);
    const std::vector<int64_t> out_strides = strides_of(out_shape);
    const size_t elem = dtype_size(x.dtype());
    const auto* src = static_cast<const uint8_t*>(x.raw_data());
    auto* dst = static_cast<uint8_t*>(y.mutable_raw_data());
    for (size_t i = 0; i < idx.size(); ++i) {
      const int64_t p = idx[i];
      if (p < 0 || p >= inferred_size) {
        return invalid_argument("index " + std::to_string(p) + " in I is outside the output of " +
                                std::to_string(inferred_size) + " elements");
      }
      int64_t rem = p, off = 0;
      for (size_t d = 0; d < inferred.size(); ++d) {
        off += (rem / in_strides[d]) * out_strides[d];
        rem %= in_strides[d];
      }
      copy_elem(dst + static_cast<size_t>(off) * elem, src + i * elem, elem);
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  std::vector<int64_t> kernel_, pads_, strides_;
};

Result<std::unique_ptr<exec::Kernel>> make_max_unpool(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 3));
  RETURN_IF_ERROR(exec::check_attributes(node, {"kernel_shape", "pads", "strides"}));
  ASSIGN_OR_RETURN(std::vector<int64_t> kernel, node.attributes.get_ints("kernel_shape", {}));
  if (kernel.empty()) return invalid_argument("kernel_shape is required");
  const size_t nd = kernel.size();
  ASSIGN_OR_RETURN(std::vector<int64_t> pads,
                   node.attributes.get_ints("pads", std::vector<int64_t>(2 * nd, 0)));
  ASSIGN_OR_RETURN(std::vector<int64_t> strides,
                   node.attributes.get_ints("strides", std::vector<int64_t>(nd, 1)));
  if (pads.size() != 2 * nd || strides.size() != nd) {
    return invalid_argument("pads must have " + std::to_string(2 * nd) + " values and strides " +
                            std::to_string(nd) + " for kernel_shape " + shape_to_string(kernel));
  }
  for (size_t d = 0; d < nd; ++d) {
    if (kernel[d] <= 0 || strides[d] <= 0 || pads[d] < 0 || pads[d + nd] < 0) {
      return invalid_argument("kernel_shape and strides must be positive and pads non-negative");
    }
  }
  return exec::make_kernel<MaxUnpoolKernel>(std::move(kernel), std::move(pads), std::move(strides));
}

MH_REGISTER_CPU_KERNEL(MaxUnpool, 9, exec::kMaxOpset, make_max_unpool);

}  // namespace
}  // namespace modelhost::engine::cpu

// DepthToSpace: [N, C, H, W] -> [N, C/b², H*b, W*b], moving depth blocks into spatial blocks in
// DCR order (depth-column-row, the default) or CRD (opset 11+).
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class DepthToSpaceKernel final : public exec::Kernel {
 public:
  DepthToSpaceKernel(int64_t block, bool crd) : b_(block), crd_(crd) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    if (x.rank() != 4 || x.shape()[1] % (b_ * b_) != 0) {
      return invalid_argument("input " + shape_to_string(x.shape()) +
                              " must be 4-D with channels divisible by blocksize² " +
                              std::to_string(b_ * b_));
    }
    const int64_t n = x.shape()[0], c = x.shape()[1] / (b_ * b_), h = x.shape()[2], w = x.shape()[3];
    // View of the input as 6-D, and the permutation that brings it to [N, C', H, b, W, b].
    const Shape view = crd_ ? Shape{n, c, b_, b_, h, w} : Shape{n, b_, b_, c, h, w};
    const std::vector<size_t> perm = crd_ ? std::vector<size_t>{0, 1, 4, 2, 5, 3}
                                          : std::vector<size_t>{0, 3, 4, 1, 5, 2};
    const std::vector<int64_t> vs = strides_of(view);
    Shape out6(6);
    std::vector<int64_t> st(6);
    for (size_t i = 0; i < 6; ++i) {
      out6[i] = view[perm[i]];
      st[i] = vs[perm[i]];
    }
    ASSIGN_OR_RETURN(Tensor y, allocate_checked(x.dtype(), {n, c, h * b_, w * b_}));
    strided_copy(static_cast<const uint8_t*>(x.raw_data()), st, out6,
                 static_cast<uint8_t*>(y.mutable_raw_data()), dtype_size(x.dtype()));
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  int64_t b_;
  bool crd_;
};

Result<std::unique_ptr<exec::Kernel>> make_depth_to_space(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(node.opset >= 11 ? exec::check_attributes(node, {"blocksize", "mode"})
                                   : exec::check_attributes(node, {"blocksize"}));
  if (!node.attributes.has("blocksize")) return invalid_argument("attribute \"blocksize\" is required");
  ASSIGN_OR_RETURN(int64_t b, node.attributes.get_int("blocksize", 0));
  if (b < 1) return invalid_argument("blocksize must be >= 1, got " + std::to_string(b));
  ASSIGN_OR_RETURN(std::string mode, node.attributes.get_string("mode", "DCR"));
  if (mode != "DCR" && mode != "CRD") return invalid_argument("mode must be DCR or CRD, got " + mode);
  return exec::make_kernel<DepthToSpaceKernel>(b, mode == "CRD");
}

MH_REGISTER_CPU_KERNEL(DepthToSpace, 1, exec::kMaxOpset, make_depth_to_space);

}  // namespace
}  // namespace modelhost::engine::cpu

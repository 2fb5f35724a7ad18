// SpaceToDepth: [N, C, H, W] -> [N, C*b², H/b, W/b], the inverse of DepthToSpace in DCR order.
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class SpaceToDepthKernel final : public exec::Kernel {
 public:
  explicit SpaceToDepthKernel(int64_t block) : b_(block) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    if (x.rank() != 4 || x.shape()[2] % b_ != 0 || x.shape()[3] % b_ != 0) {
      return invalid_argument("input " + shape_to_string(x.shape()) +
                              " must be 4-D with H and W divisible by blocksize " +
                              std::to_string(b_));
    }
    const int64_t n = x.shape()[0], c = x.shape()[1], h = x.shape()[2] / b_, w = x.shape()[3] / b_;
    const Shape view{n, c, h, b_, w, b_};
    const std::vector<size_t> perm{0, 3, 5, 1, 2, 4};
    const std::vector<int64_t> vs = strides_of(view);
    Shape out6(6);
    std::vector<int64_t> st(6);
    for (size_t i = 0; i < 6; ++i) {
      out6[i] = view[perm[i]];
      st[i] = vs[perm[i]];
    }
    ASSIGN_OR_RETURN(Tensor y, allocate_checked(x.dtype(), {n, c * b_ * b_, h, w}));
    strided_copy(static_cast<const uint8_t*>(x.raw_data()), st, out6,
                 static_cast<uint8_t*>(y.mutable_raw_data()), dtype_size(x.dtype()));
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  int64_t b_;
};

Result<std::unique_ptr<exec::Kernel>> make_space_to_depth(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"blocksize"}));
  if (!node.attributes.has("blocksize")) return invalid_argument("attribute \"blocksize\" is required");
  ASSIGN_OR_RETURN(int64_t b, node.attributes.get_int("blocksize", 0));
  if (b < 1) return invalid_argument("blocksize must be >= 1, got " + std::to_string(b));
  return exec::make_kernel<SpaceToDepthKernel>(b);
}

MH_REGISTER_CPU_KERNEL(SpaceToDepth, 1, exec::kMaxOpset, make_space_to_depth);

}  // namespace
}  // namespace modelhost::engine::cpu

// OneHot: for numeric indices of shape S, a tensor of shape S with a new dim of size `depth`
// inserted at `axis` (default -1, i.e. last), holding values[1] where the position equals the
// index and values[0] elsewhere. Negative indices count from depth; indices outside
// [-depth, depth) give a row of values[0]. values may have any dtype.
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class OneHotKernel final : public exec::Kernel {
 public:
  explicit OneHotKernel(int64_t axis) : axis_(axis) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& ind = *inputs[0];
    const Tensor& values = *inputs[2];
    if (inputs[1]->num_elements() != 1) {
      return invalid_argument("depth must hold one value, got " + shape_to_string(inputs[1]->shape()));
    }
    ASSIGN_OR_RETURN(std::vector<int64_t> depth_v, read_as_int64(*inputs[1]));
    const int64_t depth = depth_v[0];
    if (depth < 1) return invalid_argument("depth must be >= 1, got " + std::to_string(depth));
    if (values.num_elements() != 2) {
      return invalid_argument("values must hold two elements, got " + shape_to_string(values.shape()));
    }
    ASSIGN_OR_RETURN(std::vector<int64_t> idx, read_as_int64(ind));
    ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_, ind.rank() + 1));
    Shape out = ind.shape();
    out.insert(out.begin() + axis, depth);
    ASSIGN_OR_RETURN(Tensor y, allocate_checked(values.dtype(), out));
    const size_t elem = dtype_size(values.dtype());
    const auto* off_v = static_cast<const uint8_t*>(values.raw_data());
    const auto* on_v = off_v + elem;
    auto* dst = static_cast<uint8_t*>(y.mutable_raw_data());
    const int64_t outer = product(ind.shape(), 0, static_cast<size_t>(axis));
    const int64_t inner = product(ind.shape(), static_cast<size_t>(axis), ind.shape().size());
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t d = 0; d < depth; ++d) {
        for (int64_t in = 0; in < inner; ++in) {
          int64_t i = idx[static_cast<size_t>(o * inner + in)];
          if (i < 0) i += depth;
          copy_elem(dst + static_cast<size_t>((o * depth + d) * inner + in) * elem,
                    i == d ? on_v : off_v, elem);
        }
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  int64_t axis_;
};

Result<std::unique_ptr<exec::Kernel>> make_one_hot(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 3, 3));
  RETURN_IF_ERROR(exec::check_attributes(node, {"axis"}));
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", -1));
  return exec::make_kernel<OneHotKernel>(axis);
}

MH_REGISTER_CPU_KERNEL(OneHot, 9, exec::kMaxOpset, make_one_hot);

}  // namespace
}  // namespace modelhost::engine::cpu

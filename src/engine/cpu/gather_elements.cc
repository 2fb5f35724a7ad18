// GatherElements: out[i...] = data[i...] with the `axis` coordinate replaced by indices[i...]
// (negative count from the end). indices has data's rank; output has indices' shape.
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class GatherElementsKernel final : public exec::Kernel {
 public:
  explicit GatherElementsKernel(int64_t axis) : axis_(axis) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& data = *inputs[0];
    const Tensor& ind = *inputs[1];
    const int64_t rank = data.rank();
    ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_, rank));
    ASSIGN_OR_RETURN(std::vector<int64_t> idx, read_int_tensor(ind, 1, "GatherElements"));
    if (ind.rank() != rank) {
      return invalid_argument("indices " + shape_to_string(ind.shape()) +
                              " must have the rank of data " + shape_to_string(data.shape()));
    }
    for (int64_t d = 0; d < rank; ++d) {
      if (d != axis && ind.shape()[static_cast<size_t>(d)] > data.shape()[static_cast<size_t>(d)]) {
        return invalid_argument("indices " + shape_to_string(ind.shape()) +
                                " exceed data " + shape_to_string(data.shape()) + " in dim " +
                                std::to_string(d));
      }
    }
    const int64_t dim = data.shape()[static_cast<size_t>(axis)];
    ASSIGN_OR_RETURN(Tensor y, allocate_checked(data.dtype(), ind.shape()));
    const size_t elem = dtype_size(data.dtype());
    const std::vector<int64_t> ds = strides_of(data.shape());
    const auto* src = static_cast<const uint8_t*>(data.raw_data());
    auto* dst = static_cast<uint8_t*>(y.mutable_raw_data());
    std::vector<int64_t> pos(static_cast<size_t>(rank), 0);
    for (size_t o = 0; o < idx.size(); ++o) {
      ASSIGN_OR_RETURN(int64_t i, normalize_index(idx[o], dim));
      int64_t off = 0;
      for (int64_t d = 0; d < rank; ++d) {
        off += (d == axis ? i : pos[static_cast<size_t>(d)]) * ds[static_cast<size_t>(d)];
      }
      copy_elem(dst + o * elem, src + static_cast<size_t>(off) * elem, elem);
      for (size_t d = static_cast<size_t>(rank); d-- > 0;) {
        if (++pos[d] < ind.shape()[d]) break;
        pos[d] = 0;
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  int64_t axis_;
};

Result<std::unique_ptr<exec::Kernel>> make_gather_elements(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {"axis"}));
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", 0));
  return exec::make_kernel<GatherElementsKernel>(axis);
}

MH_REGISTER_CPU_KERNEL(GatherElements, 11, exec::kMaxOpset, make_gather_elements);

}  // namespace
}  // namespace modelhost::engine::cpu

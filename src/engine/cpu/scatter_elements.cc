// ScatterElements (and its deprecated opset 9-10 name Scatter): a copy of data where, for each
// position p of indices, the element at p with the `axis` coordinate replaced by indices[p]
// (negative count from the end) takes updates[p], or is combined with it by `reduction`.
#include <cstring>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class ScatterElementsKernel final : public exec::Kernel {
 public:
  ScatterElementsKernel(int64_t axis, ScatterReduction r) : axis_(axis), reduction_(r) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& data = *inputs[0];
    const Tensor& ind = *inputs[1];
    const Tensor& upd = *inputs[2];
    const int64_t rank = data.rank();
    ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_, rank));
    ASSIGN_OR_RETURN(std::vector<int64_t> idx, read_int_tensor(ind, 1, "ScatterElements"));
    RETURN_IF_ERROR(exec::check_same_dtype(data, upd));
    if (ind.shape() != upd.shape() || ind.rank() != rank) {
      return invalid_argument("indices " + shape_to_string(ind.shape()) + " and updates " +
                              shape_to_string(upd.shape()) +
                              " must have one shape, of the rank of data " +
                              shape_to_string(data.shape()));
    }
    for (int64_t d = 0; d < rank; ++d) {
      if (d != axis && ind.shape()[static_cast<size_t>(d)] > data.shape()[static_cast<size_t>(d)]) {
        return invalid_argument("indices " + shape_to_string(ind.shape()) + " exceed data " +
                                shape_to_string(data.shape()) + " in dim " + std::to_string(d));
      }
    }
    const int64_t dim = data.shape()[static_cast<size_t>(axis)];
    // Resolve every target offset first, so a bad index leaves nothing half-written.
    const std::vector<int64_t> ds = strides_of(data.shape());
    std::vector<int64_t> offs(idx.size());
    std::vector<int64_t> pos(static_cast<size_t>(rank), 0);
    for (size_t o = 0; o < idx.size(); ++o) {
      ASSIGN_OR_RETURN(int64_t i, normalize_index(idx[o], dim));
      int64_t off = 0;
      for (int64_t d = 0; d < rank; ++d) {
        off += (d == axis ? i : pos[static_cast<size_t>(d)]) * ds[static_cast<size_t>(d)];
      }
      offs[o] = off;
      for (size_t d = static_cast<size_t>(rank); d-- > 0;) {
        if (++pos[d] < ind.shape()[d]) break;
        pos[d] = 0;
      }
    }
    Tensor y = Tensor::allocate(data.dtype(), data.shape());
    if (data.byte_size() > 0) std::memcpy(y.mutable_raw_data(), data.raw_data(), data.byte_size());
    const size_t elem = dtype_size(data.dtype());
    if (reduction_ == ScatterReduction::kNone) {
      auto* dst = static_cast<uint8_t*>(y.mutable_raw_data());
      const auto* src = static_cast<const uint8_t*>(upd.raw_data());
      for (size_t o = 0; o < offs.size(); ++o) {
        copy_elem(dst + static_cast<size_t>(offs[o]) * elem, src + o * elem, elem);
      }
    } else {
      RETURN_IF_ERROR(visit_numeric(data.dtype(), [&]<typename N>() {
        using T = typename N::Storage;
        T* dst = y.mutable_data<T>();
        const T* src = upd.data<T>();
        for (size_t o = 0; o < offs.size(); ++o) scatter_apply<N>(dst + offs[o], src[o], reduction_);
        return Status::ok_status();
      }));
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  int64_t axis_;
  ScatterReduction reduction_;
};

Result<std::unique_ptr<exec::Kernel>> make_scatter_elements(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 3, 3));
  RETURN_IF_ERROR(node.opset >= 16 ? exec::check_attributes(node, {"axis", "reduction"})
                                   : exec::check_attributes(node, {"axis"}));
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", 0));
  ASSIGN_OR_RETURN(std::string r, node.attributes.get_string("reduction", "none"));
  ASSIGN_OR_RETURN(ScatterReduction red, parse_scatter_reduction(r, node.opset));
  return exec::make_kernel<ScatterElementsKernel>(axis, red);
}

MH_REGISTER_CPU_KERNEL(ScatterElements, 11, exec::kMaxOpset, make_scatter_elements);
MH_REGISTER_CPU_KERNEL(Scatter, 9, 10, make_scatter_elements);

}  // namespace
}  // namespace modelhost::engine::cpu

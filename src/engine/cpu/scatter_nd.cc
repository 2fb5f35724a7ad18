// ScatterND: a copy of data where each index tuple in the last dim of indices (int64, negative
// count from the end) addresses a slice data[i0, ..., ik-1] that takes the matching slice of
// updates (shape indices[:-1] + data[k:]), or is combined with it by `reduction`.
#include <cstring>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class ScatterNDKernel final : public exec::Kernel {
 public:
  explicit ScatterNDKernel(ScatterReduction r) : reduction_(r) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& data = *inputs[0];
    const Tensor& ind = *inputs[1];
    const Tensor& upd = *inputs[2];
    ASSIGN_OR_RETURN(std::vector<int64_t> idx, read_int_tensor(ind, 1, "ScatterND"));
    RETURN_IF_ERROR(exec::check_same_dtype(data, upd));
    if (ind.rank() < 1) return invalid_argument("indices must have rank >= 1");
    const int64_t k = ind.shape().back();
    if (k < 1 || k > data.rank()) {
      return invalid_argument("indices last dim " + std::to_string(k) + " must be in 1.." +
                              std::to_string(data.rank()));
    }
    Shape want(ind.shape().begin(), ind.shape().end() - 1);
    want.insert(want.end(), data.shape().begin() + k, data.shape().end());
    if (upd.shape() != want) {
      return invalid_argument("updates " + shape_to_string(upd.shape()) + " must have shape " +
                              shape_to_string(want));
    }
    const std::vector<int64_t> ds = strides_of(data.shape());
    const int64_t slice = product(data.shape(), static_cast<size_t>(k), data.shape().size());
    const size_t count = k > 0 ? idx.size() / static_cast<size_t>(k) : 0;
    std::vector<int64_t> offs(count);
    for (size_t j = 0; j < count; ++j) {
      int64_t off = 0;
      for (int64_t t = 0; t < k; ++t) {
        ASSIGN_OR_RETURN(int64_t i, normalize_index(idx[j * static_cast<size_t>(k) + static_cast<size_t>(t)],
                                                    data.shape()[static_cast<size_t>(t)]));
        off += i * ds[static_cast<size_t>(t)];
      }
      offs[j] = off;
    }
    Tensor y = Tensor::allocate(data.dtype(), data.shape());
    if (data.byte_size() > 0) std::memcpy(y.mutable_raw_data(), data.raw_data(), data.byte_size());
    const size_t elem = dtype_size(data.dtype());
    if (reduction_ == ScatterReduction::kNone) {
      auto* dst = static_cast<uint8_t*>(y.mutable_raw_data());
      const auto* src = static_cast<const uint8_t*>(upd.raw_data());
      const size_t bytes = static_cast<size_t>(slice) * elem;
      for (size_t j = 0; j < count && bytes > 0; ++j) {
        std::memcpy(dst + static_cast<size_t>(offs[j]) * elem, src + j * bytes, bytes);
      }
    } else {
      RETURN_IF_ERROR(visit_numeric(data.dtype(), [&]<typename N>() {
        using T = typename N::Storage;
        T* dst = y.mutable_data<T>();
        const T* src = upd.data<T>();
        for (size_t j = 0; j < count; ++j) {
          for (int64_t e = 0; e < slice; ++e) {
            scatter_apply<N>(dst + offs[j] + e, src[static_cast<int64_t>(j) * slice + e], reduction_);
          }
        }
        return Status::ok_status();
      }));
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  ScatterReduction reduction_;
};

Result<std::unique_ptr<exec::Kernel>> make_scatter_nd(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 3, 3));
  RETURN_IF_ERROR(node.opset >= 16 ? exec::check_attributes(node, {"reduction"})
                                   : exec::check_attributes(node, {}));
  ASSIGN_OR_RETURN(std::string r, node.attributes.get_string("reduction", "none"));
  ASSIGN_OR_RETURN(ScatterReduction red, parse_scatter_reduction(r, node.opset));
  return exec::make_kernel<ScatterNDKernel>(red);
}

MH_REGISTER_CPU_KERNEL(ScatterND, 11, exec::kMaxOpset, make_scatter_nd);

}  // namespace
}  // namespace modelhost::engine::cpu

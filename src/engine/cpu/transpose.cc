// Transpose: permutes dims by `perm` (default: reversed). Any dtype: elements are moved as bytes.
#include <cstring>
#include <vector>

#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

template <typename T>
void permute(const T* in, T* out, const Shape& out_shape, const std::vector<int64_t>& in_strides,
             int64_t total, const exec::KernelContext& ctx) {
  const size_t rank = out_shape.size();
  exec::parallel_for(ctx, total, 1 << 14, [&](int64_t begin, int64_t end) {
    // Odometer over output indices, tracking the matching input offset.
    std::vector<int64_t> idx(rank, 0);
    int64_t rem = begin, src = 0;
    for (size_t d = rank; d-- > 0;) {
      idx[d] = rem % out_shape[d];
      rem /= out_shape[d];
      src += idx[d] * in_strides[d];
    }
    for (int64_t o = begin; o < end; ++o) {
      out[o] = in[src];
      for (size_t d = rank; d-- > 0;) {
        src += in_strides[d];
        if (++idx[d] < out_shape[d]) break;
        src -= idx[d] * in_strides[d];
        idx[d] = 0;
      }
    }
  });
}

class TransposeKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    return exec::propagate_dtype(inputs, outputs);
  }
  explicit TransposeKernel(std::vector<int64_t> perm) : perm_(std::move(perm)) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const size_t rank = x.shape().size();
    std::vector<int64_t> perm = perm_;
    if (perm.empty()) {
      for (size_t i = 0; i < rank; ++i) perm.push_back(static_cast<int64_t>(rank - 1 - i));
    }
    if (perm.size() != rank) {
      return invalid_argument("perm has " + std::to_string(perm.size()) +
                              " entries for an input of rank " + std::to_string(rank));
    }
    std::vector<int64_t> strides(rank, 1);
    for (size_t d = rank; d-- > 1;) strides[d - 1] = strides[d] * x.shape()[d];
    Shape out_shape(rank);
    std::vector<int64_t> in_strides(rank);
    for (size_t d = 0; d < rank; ++d) {
      out_shape[d] = x.shape()[static_cast<size_t>(perm[d])];
      in_strides[d] = strides[static_cast<size_t>(perm[d])];
    }
    Tensor y = Tensor::allocate(x.dtype(), out_shape);
    const int64_t n = x.num_elements();
    if (n > 0) {
      switch (dtype_size(x.dtype())) {
        case 1:
          permute(x.data<uint8_t>(), y.mutable_data<uint8_t>(), out_shape, in_strides, n, ctx);
          break;
        case 2:
          permute(x.data<uint16_t>(), y.mutable_data<uint16_t>(), out_shape, in_strides, n, ctx);
          break;
        case 4:
          permute(x.data<uint32_t>(), y.mutable_data<uint32_t>(), out_shape, in_strides, n, ctx);
          break;
        case 8:
          permute(x.data<uint64_t>(), y.mutable_data<uint64_t>(), out_shape, in_strides, n, ctx);
          break;
        default:
          return unimplemented("Transpose does not support this dtype");
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  std::vector<int64_t> perm_;
};

Result<std::unique_ptr<exec::Kernel>> make_transpose(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"perm"}));
  ASSIGN_OR_RETURN(std::vector<int64_t> perm, node.attributes.get_ints("perm", {}));
  std::vector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(perm.size()) || seen[static_cast<size_t>(p)]) {
      return invalid_argument("perm is not a permutation of 0.." + std::to_string(perm.size()) +
                              ": " + shape_to_string(perm));
    }
    seen[static_cast<size_t>(p)] = true;
  }
  return exec::make_kernel<TransposeKernel>(std::move(perm));
}

MH_REGISTER_CPU_KERNEL(Transpose, 1, exec::kMaxOpset, make_transpose);

}  // namespace
}  // namespace modelhost::engine::cpu

// GatherND: slices of data addressed by the last dim of indices (int64, negative count from the
// end), after `batch_dims` leading dims that data and indices share. Output shape
// indices[:-1] + data[batch_dims + k:], k = indices.shape[-1].
#include <algorithm>
#include <cstring>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class GatherNDKernel final : public exec::Kernel {
 public:
  explicit GatherNDKernel(int64_t batch_dims) : b_(batch_dims) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& data = *inputs[0];
    const Tensor& ind = *inputs[1];
    ASSIGN_OR_RETURN(std::vector<int64_t> idx, read_int_tensor(ind, 1, "GatherND"));
    const int64_t r = data.rank(), q = ind.rank();
    if (q < 1 || r < 1 || b_ >= std::min(q, r)) {
      return invalid_argument("batch_dims " + std::to_string(b_) + " needs data " +
                              shape_to_string(data.shape()) + " and indices " +
                              shape_to_string(ind.shape()) + " of higher rank");
    }
    const int64_t k = ind.shape().back();
    if (k < 1 || k > r - b_) {
      return invalid_argument("indices last dim " + std::to_string(k) + " must be in 1.." +
                              std::to_string(r - b_));
    }
    for (int64_t d = 0; d < b_; ++d) {
      if (ind.shape()[static_cast<size_t>(d)] != data.shape()[static_cast<size_t>(d)]) {
        return invalid_argument("batch dims of indices " + shape_to_string(ind.shape()) +
                                " and data " + shape_to_string(data.shape()) + " differ");
      }
    }
    Shape out_shape(ind.shape().begin(), ind.shape().end() - 1);
    out_shape.insert(out_shape.end(), data.shape().begin() + b_ + k, data.shape().end());
    ASSIGN_OR_RETURN(Tensor y, allocate_checked(data.dtype(), out_shape));
    const size_t elem = dtype_size(data.dtype());
    const std::vector<int64_t> ds = strides_of(data.shape());
    const int64_t batches = product(data.shape(), 0, static_cast<size_t>(b_));
    const int64_t batch_stride = product(data.shape(), static_cast<size_t>(b_), data.shape().size());
    const int64_t per_batch = product(ind.shape(), static_cast<size_t>(b_), ind.shape().size() - 1);
    const size_t block =
        static_cast<size_t>(product(data.shape(), static_cast<size_t>(b_ + k), data.shape().size())) *
        elem;
    const auto* src = static_cast<const uint8_t*>(data.raw_data());
    auto* dst = static_cast<uint8_t*>(y.mutable_raw_data());
    const int64_t* ip = idx.data();
    for (int64_t bi = 0; bi < batches; ++bi) {
      for (int64_t j = 0; j < per_batch; ++j, ip += k) {
        int64_t off = bi * batch_stride;
        for (int64_t t = 0; t < k; ++t) {
          const size_t d = static_cast<size_t>(b_ + t);
          ASSIGN_OR_RETURN(int64_t i, normalize_index(ip[t], data.shape()[d]));
          off += i * ds[d];
        }
        if (block > 0) std::memcpy(dst, src + static_cast<size_t>(off) * elem, block);
        dst += block;
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  int64_t b_;
};

Result<std::unique_ptr<exec::Kernel>> make_gather_nd(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {"batch_dims"}));
  ASSIGN_OR_RETURN(int64_t b, node.attributes.get_int("batch_dims", 0));
  if (b < 0) return invalid_argument("batch_dims must be >= 0, got " + std::to_string(b));
  if (b != 0 && node.opset < 12) return invalid_argument("batch_dims needs opset 12");
  return exec::make_kernel<GatherNDKernel>(b);
}

MH_REGISTER_CPU_KERNEL(GatherND, 11, exec::kMaxOpset, make_gather_nd);

}  // namespace
}  // namespace modelhost::engine::cpu

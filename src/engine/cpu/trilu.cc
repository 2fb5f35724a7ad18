// Trilu: keeps the upper (upper = 1, default) or lower triangle of the last two dims, relative
// to diagonal k (optional int64 scalar input, default 0); the rest becomes zero.
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class TriluKernel final : public exec::Kernel {
 public:
  explicit TriluKernel(bool upper) : upper_(upper) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    if (x.rank() < 2) return invalid_argument("input must have rank >= 2, got " + shape_to_string(x.shape()));
    int64_t k = 0;
    if (inputs.size() > 1 && inputs[1] != nullptr) {
      ASSIGN_OR_RETURN(k, read_int_scalar(*inputs[1], 1, "Trilu"));
    }
    const int64_t rows = x.shape()[x.shape().size() - 2], cols = x.shape().back();
    const int64_t mats = rows * cols == 0 ? 0 : x.num_elements() / (rows * cols);
    const size_t elem = dtype_size(x.dtype());
    Tensor y = Tensor::allocate(x.dtype(), x.shape());
    const auto* src = static_cast<const uint8_t*>(x.raw_data());
    auto* dst = static_cast<uint8_t*>(y.mutable_raw_data());
    for (int64_t m = 0; m < mats; ++m) {
      for (int64_t i = 0; i < rows; ++i) {
        for (int64_t j = 0; j < cols; ++j) {
          const bool keep = upper_ ? j - i >= k : j - i <= k;
          if (keep) {
            const size_t off = static_cast<size_t>((m * rows + i) * cols + j) * elem;
            copy_elem(dst + off, src + off, elem);
          }
        }
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  bool upper_;
};

Result<std::unique_ptr<exec::Kernel>> make_trilu(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {"upper"}));
  ASSIGN_OR_RETURN(int64_t upper, node.attributes.get_int("upper", 1));
  return exec::make_kernel<TriluKernel>(upper != 0);
}

MH_REGISTER_CPU_KERNEL(Trilu, 14, exec::kMaxOpset, make_trilu);

}  // namespace
}  // namespace modelhost::engine::cpu

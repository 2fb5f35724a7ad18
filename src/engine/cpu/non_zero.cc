// NonZero: the coordinates of the non-zero elements as int64 [rank, count], in row-major order
// (a scalar counts as a 1-element vector).
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class NonZeroKernel final : public exec::Kernel {
 public:
  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Shape shape = x.rank() == 0 ? Shape{1} : x.shape();
    std::vector<int64_t> hits;
    RETURN_IF_ERROR(visit_numeric(x.dtype(), [&]<typename N>() {
      const auto* p = static_cast<const typename N::Storage*>(x.raw_data());
      for (int64_t i = 0; i < x.num_elements(); ++i) {
        if (N::load(p[i]) != typename N::Acc{0}) hits.push_back(i);
      }
      return Status::ok_status();
    }));
    const int64_t rank = static_cast<int64_t>(shape.size()), n = static_cast<int64_t>(hits.size());
    Tensor y = Tensor::allocate(DataType::kInt64, {rank, n});
    int64_t* out = y.mutable_data<int64_t>();
    for (int64_t j = 0; j < n; ++j) {
      int64_t rem = hits[static_cast<size_t>(j)];
      for (int64_t d = rank; d-- > 0;) {
        out[d * n + j] = rem % shape[static_cast<size_t>(d)];
        rem /= shape[static_cast<size_t>(d)];
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }
};

Result<std::unique_ptr<exec::Kernel>> make_non_zero(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<NonZeroKernel>();
}

MH_REGISTER_CPU_KERNEL(NonZero, 9, exec::kMaxOpset, make_non_zero);

}  // namespace
}  // namespace modelhost::engine::cpu

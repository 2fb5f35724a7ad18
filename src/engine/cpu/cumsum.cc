// CumSum: running sums along the axis given by an int32/int64 scalar input; `exclusive` leaves
// out the current element, `reverse` sums from the end. Numeric dtypes (float16 and bfloat16
// accumulate in float).
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class CumSumKernel final : public exec::Kernel {
 public:
  CumSumKernel(bool exclusive, bool reverse) : exclusive_(exclusive), reverse_(reverse) {}

  Status compute(const exec::KernelContext&, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    if (x.dtype() == DataType::kBool) return invalid_argument("CumSum does not support bool");
    ASSIGN_OR_RETURN(int64_t axis_in, read_int_scalar(*inputs[1], 1, "CumSum"));
    ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_in, x.rank()));
    const int64_t outer = product(x.shape(), 0, static_cast<size_t>(axis));
    const int64_t n = x.shape()[static_cast<size_t>(axis)];
    const int64_t inner = product(x.shape(), static_cast<size_t>(axis) + 1, x.shape().size());
    Tensor y = Tensor::allocate(x.dtype(), x.shape());
    RETURN_IF_ERROR(visit_numeric(x.dtype(), [&]<typename N>() {
      using T = typename N::Storage;
      using A = typename N::Acc;
      const T* src = x.data<T>();
      T* dst = y.mutable_data<T>();
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t in = 0; in < inner; ++in) {
          A sum = A{0};
          for (int64_t s = 0; s < n; ++s) {
            const int64_t i = reverse_ ? n - 1 - s : s;
            const int64_t off = (o * n + i) * inner + in;
            const A v = N::load(src[off]);
            if (exclusive_) {
              dst[off] = N::store(sum);
              sum = static_cast<A>(sum + v);
            } else {
              sum = static_cast<A>(sum + v);
              dst[off] = N::store(sum);
            }
          }
        }
      }
      return Status::ok_status();
    }));
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  bool exclusive_, reverse_;
};

Result<std::unique_ptr<exec::Kernel>> make_cumsum(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {"exclusive", "reverse"}));
  ASSIGN_OR_RETURN(int64_t exclusive, node.attributes.get_int("exclusive", 0));
  ASSIGN_OR_RETURN(int64_t reverse, node.attributes.get_int("reverse", 0));
  return exec::make_kernel<CumSumKernel>(exclusive != 0, reverse != 0);
}

MH_REGISTER_CPU_KERNEL(CumSum, 11, exec::kMaxOpset, make_cumsum);

}  // namespace
}  // namespace modelhost::engine::cpu

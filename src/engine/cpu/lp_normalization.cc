// LpNormalization (opset 1+): x divided by its L1 (p = 1, sum of |x|) or L2 (p = 2) norm along
// `axis` (default -1). A zero norm gives NaN / Inf, as the division does. float32 and float64;
// float16 / bfloat16 in float32.
#include <cmath>
#include <string>

#include "engine/cpu/elementwise.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

template <typename T>
void lp_normalize(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, int64_t p,
                  const exec::KernelContext& ctx) {
  exec::parallel_for(ctx, outer * inner, std::max<int64_t>(1, 4096 / std::max<int64_t>(n, 1)),
                     [&](int64_t v0, int64_t v1) {
                       for (int64_t v = v0; v < v1; ++v) {
                         const int64_t base = (v / inner) * n * inner + (v % inner);
                         double norm = 0.0;
                         for (int64_t i = 0; i < n; ++i) {
                           const double e = static_cast<double>(x[base + i * inner]);
                           norm += p == 1 ? std::fabs(e) : e * e;
                         }
                         if (p == 2) norm = std::sqrt(norm);
                         for (int64_t i = 0; i < n; ++i) {
                           y[base + i * inner] =
                               static_cast<T>(static_cast<double>(x[base + i * inner]) / norm);
                         }
                       }
                     });
}

class LpNormKernel final : public exec::Kernel {
 public:
  LpNormKernel(int64_t axis, int64_t p) : axis_(axis), p_(p) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    RETURN_IF_ERROR(exec::check_dtype(
        x, 0, "LpNormalization",
        {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kBFloat16}));
    ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_, std::max<int64_t>(x.rank(), 1)));
    int64_t outer = 1, n = 1, inner = 1;
    for (int64_t i = 0; i < x.rank(); ++i) {
      const int64_t d = x.shape()[static_cast<size_t>(i)];
      if (i < axis) {
        outer *= d;
      } else if (i == axis) {
        n = d;
      } else {
        inner *= d;
      }
    }
    switch (x.dtype()) {
      case DataType::kFloat32:
        outputs[0] = run<float>(x, outer, n, inner, ctx);
        return Status::ok_status();
      case DataType::kFloat64:
        outputs[0] = run<double>(x, outer, n, inner, ctx);
        return Status::ok_status();
      default: {
        ASSIGN_OR_RETURN(Tensor fx, half_to_float32(ctx, x));
        ASSIGN_OR_RETURN(outputs[0],
                         float32_to_half(ctx, run<float>(fx, outer, n, inner, ctx), x.dtype()));
        return Status::ok_status();
      }
    }
  }

 private:
  template <typename T>
  Tensor run(const Tensor& x, int64_t outer, int64_t n, int64_t inner,
             const exec::KernelContext& ctx) const {
    Tensor y = Tensor::allocate(x.dtype(), x.shape());
    if (y.num_elements() > 0)
      lp_normalize(x.data<T>(), y.mutable_data<T>(), outer, n, inner, p_, ctx);
    return y;
  }

  int64_t axis_;
  int64_t p_;
};

Result<std::unique_ptr<exec::Kernel>> make_lp_norm(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"axis", "p"}));
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", -1));
  ASSIGN_OR_RETURN(int64_t p, node.attributes.get_int("p", 2));
  if (p != 1 && p != 2) return invalid_argument("p must be 1 or 2, got " + std::to_string(p));
  return exec::make_kernel<LpNormKernel>(axis, p);
}

MH_REGISTER_CPU_KERNEL(LpNormalization, 1, exec::kMaxOpset, make_lp_norm);

}  // namespace
}  // namespace modelhost::engine::cpu

// LRN (opset 7..21): local response normalization across channels,
// Y = X / (bias + alpha / size * sum of X^2 over channels [c - floor((size-1)/2),
// c + ceil((size-1)/2)])^beta. float32 and float64.
#include <cmath>

#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

template <typename T>
void lrn(const T* x, T* y, int64_t n, int64_t c, int64_t inner, int64_t size, double alpha,
         double beta, double bias, const exec::KernelContext& ctx) {
  const int64_t lo = (size - 1) / 2, hi = size / 2;  // floor and ceil of (size-1)/2
  exec::parallel_for(ctx, n * c, 1, [&](int64_t q0, int64_t q1) {
    for (int64_t q = q0; q < q1; ++q) {
      const int64_t b = q / c, ch = q % c;
      const int64_t c0 = std::max<int64_t>(0, ch - lo), c1 = std::min<int64_t>(c - 1, ch + hi);
      for (int64_t i = 0; i < inner; ++i) {
        double sum = 0.0;
        for (int64_t k = c0; k <= c1; ++k) {
          const double v = static_cast<double>(x[(b * c + k) * inner + i]);
          sum += v * v;
        }
        y[q * inner + i] =
            static_cast<T>(static_cast<double>(x[q * inner + i]) /
                           std::pow(bias + alpha / static_cast<double>(size) * sum, beta));
      }
    }
  });
}

class LrnKernel final : public exec::Kernel {
 public:
  LrnKernel(int64_t size, float alpha, float beta, float bias)
      : size_(size), alpha_(alpha), beta_(beta), bias_(bias) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    RETURN_IF_ERROR(exec::check_dtype(x, 0, "LRN", {DataType::kFloat32, DataType::kFloat64}));
    if (x.rank() < 3) {
      return invalid_argument("input must have rank >= 3, got " + shape_to_string(x.shape()));
    }
    const int64_t n = x.shape()[0], c = x.shape()[1];
    Tensor y = Tensor::allocate(x.dtype(), x.shape());
    if (x.num_elements() > 0) {
      const int64_t inner = x.num_elements() / (n * c);
      if (x.dtype() == DataType::kFloat32) {
        lrn(x.data<float>(), y.mutable_data<float>(), n, c, inner, size_, alpha_, beta_, bias_,
            ctx);
      } else {
        lrn(x.data<double>(), y.mutable_data<double>(), n, c, inner, size_, alpha_, beta_, bias_,
            ctx);
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  int64_t size_;
  double alpha_, beta_, bias_;
};

Result<std::unique_ptr<exec::Kernel>> make_lrn(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"alpha", "beta", "bias", "size"}));
  if (!node.attributes.has("size")) return invalid_argument("size is required");
  ASSIGN_OR_RETURN(int64_t size, node.attributes.get_int("size", 1));
  ASSIGN_OR_RETURN(float alpha, node.attributes.get_float("alpha", 1e-4f));
  ASSIGN_OR_RETURN(float beta, node.attributes.get_float("beta", 0.75f));
  ASSIGN_OR_RETURN(float bias, node.attributes.get_float("bias", 1.0f));
  if (size < 1) return invalid_argument("size must be >= 1");
  return exec::make_kernel<LrnKernel>(size, alpha, beta, bias);
}

MH_REGISTER_CPU_KERNEL(LRN, 7, exec::kMaxOpset, make_lrn);

}  // namespace
}  // namespace modelhost::engine::cpu

// InstanceNormalization (opset 7..21): per (n, c) plane, Y = (X - mean) / sqrt(var + epsilon)
// * scale[c] + B[c], mean and (population) variance over the spatial dims. float32, float64.
#include <cmath>

#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

template <typename T>
void instance_norm(const T* x, const T* scale, const T* bias, T* y, int64_t planes, int64_t c,
                   int64_t inner, double eps, const exec::KernelContext& ctx) {
  exec::parallel_for(ctx, planes, 1, [&](int64_t q0, int64_t q1) {
    for (int64_t q = q0; q < q1; ++q) {
      const T* xi = x + q * inner;
      T* yo = y + q * inner;
      double mean = 0.0, var = 0.0;
      for (int64_t i = 0; i < inner; ++i) mean += static_cast<double>(xi[i]);
      mean /= static_cast<double>(inner);
      for (int64_t i = 0; i < inner; ++i) {
        const double d = static_cast<double>(xi[i]) - mean;
        var += d * d;
      }
      var /= static_cast<double>(inner);
      const double a = static_cast<double>(scale[q % c]) / std::sqrt(var + eps);
      const double b = static_cast<double>(bias[q % c]);
      for (int64_t i = 0; i < inner; ++i) {
        yo[i] = static_cast<T>((static_cast<double>(xi[i]) - mean) * a + b);
      }
    }
  });
}

class InstanceNormKernel final : public exec::Kernel {
 public:
  explicit InstanceNormKernel(float epsilon) : epsilon_(epsilon) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& s = *inputs[1];
    const Tensor& b = *inputs[2];
    RETURN_IF_ERROR(
        exec::check_dtype(x, 0, "InstanceNormalization", {DataType::kFloat32, DataType::kFloat64}));
    RETURN_IF_ERROR(exec::check_same_dtype(x, s));
    RETURN_IF_ERROR(exec::check_same_dtype(x, b));
    if (x.rank() < 3) {
      return invalid_argument("input must have rank >= 3, got " + shape_to_string(x.shape()));
    }
    const int64_t c = x.shape()[1];
    if (s.rank() != 1 || s.shape()[0] != c || b.rank() != 1 || b.shape()[0] != c) {
      return invalid_argument("scale and B must be [" + std::to_string(c) + "], got " +
                              shape_to_string(s.shape()) + " and " + shape_to_string(b.shape()));
    }
    const int64_t planes = x.shape()[0] * c;
    Tensor y = Tensor::allocate(x.dtype(), x.shape());
    if (x.num_elements() > 0) {
      const int64_t inner = x.num_elements() / planes;
      if (x.dtype() == DataType::kFloat32) {
        instance_norm(x.data<float>(), s.data<float>(), b.data<float>(), y.mutable_data<float>(),
                      planes, c, inner, epsilon_, ctx);
      } else {
        instance_norm(x.data<double>(), s.data<double>(), b.data<double>(),
                      y.mutable_data<double>(), planes, c, inner, epsilon_, ctx);
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  double epsilon_;
};

Result<std::unique_ptr<exec::Kernel>> make_instance_norm(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 3, 3));
  RETURN_IF_ERROR(exec::check_attributes(node, {"epsilon"}));
  ASSIGN_OR_RETURN(float epsilon, node.attributes.get_float("epsilon", 1e-5f));
  return exec::make_kernel<InstanceNormKernel>(epsilon);
}

MH_REGISTER_CPU_KERNEL(InstanceNormalization, 7, exec::kMaxOpset, make_instance_norm);

}  // namespace
}  // namespace modelhost::engine::cpu

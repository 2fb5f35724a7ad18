// BatchNormalization, inference mode (opset 7..21): Y = (X - mean) / sqrt(var + epsilon) * scale
// + B along the channel dim 1. Opset 7/8 `spatial = 0` takes per-element parameters of shape
// [C, D1, ...]. Training (more than one output, or training_mode = 1) is a load error.
// float32 and float64.
#include <cmath>

#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

template <typename T>
void batch_norm(const T* x, const T* scale, const T* bias, const T* mean, const T* var, T* y,
                int64_t n, int64_t c, int64_t inner, bool per_element, double eps,
                const exec::KernelContext& ctx) {
  exec::parallel_for(ctx, n * c, 1, [&](int64_t q0, int64_t q1) {
    for (int64_t q = q0; q < q1; ++q) {
      const int64_t ch = q % c;
      const T* xi = x + q * inner;
      T* yo = y + q * inner;
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t p = per_element ? ch * inner + i : ch;
        const double a =
            static_cast<double>(scale[p]) / std::sqrt(static_cast<double>(var[p]) + eps);
        yo[i] = static_cast<T>((static_cast<double>(xi[i]) - static_cast<double>(mean[p])) * a +
                               static_cast<double>(bias[p]));
      }
    }
  });
}

class BatchNormKernel final : public exec::Kernel {
 public:
  explicit BatchNormKernel(float epsilon) : epsilon_(epsilon) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    RETURN_IF_ERROR(
        exec::check_dtype(x, 0, "BatchNormalization", {DataType::kFloat32, DataType::kFloat64}));
    if (x.rank() < 2) {
      return invalid_argument("X must have rank >= 2, got " + shape_to_string(x.shape()));
    }
    const int64_t n = x.shape()[0], c = x.shape()[1];
    const int64_t inner = n * c == 0 ? 0 : x.num_elements() / (n * c);
    bool per_element = false;
    for (size_t i = 1; i < 5; ++i) {
      const Tensor& p = *inputs[i];
      RETURN_IF_ERROR(exec::check_same_dtype(x, p));
      if (p.num_elements() == c && p.rank() == 1) continue;
      if (p.num_elements() == c * inner && p.rank() == x.rank() - 1 && p.shape()[0] == c) {
        per_element = true;
        continue;
      }
      return invalid_argument("input " + std::to_string(i) + " has shape " +
                              shape_to_string(p.shape()) + ", expected [" + std::to_string(c) +
                              "]");
    }
    if (per_element) {
      for (size_t i = 1; i < 5; ++i) {
        if (inputs[i]->num_elements() != c * inner) {
          return invalid_argument("scale, B, mean and var must all have the same shape");
        }
      }
    }
    Tensor y = Tensor::allocate(x.dtype(), x.shape());
    if (x.num_elements() > 0) {
      if (x.dtype() == DataType::kFloat32) {
        batch_norm(x.data<float>(), inputs[1]->data<float>(), inputs[2]->data<float>(),
                   inputs[3]->data<float>(), inputs[4]->data<float>(), y.mutable_data<float>(), n,
                   c, inner, per_element, epsilon_, ctx);
      } else {
        batch_norm(x.data<double>(), inputs[1]->data<double>(), inputs[2]->data<double>(),
                   inputs[3]->data<double>(), inputs[4]->data<double>(), y.mutable_data<double>(),
                   n, c, inner, per_element, epsilon_, ctx);
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  double epsilon_;
};

Result<std::unique_ptr<exec::Kernel>> make_batch_norm(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 5, 5, 5));
  if (node.opset < 9) {
    RETURN_IF_ERROR(exec::check_attributes(node, {"epsilon", "momentum", "spatial"}));
  } else if (node.opset < 14) {
    RETURN_IF_ERROR(exec::check_attributes(node, {"epsilon", "momentum"}));
  } else {
    RETURN_IF_ERROR(exec::check_attributes(node, {"epsilon", "momentum", "training_mode"}));
  }
  ASSIGN_OR_RETURN(float epsilon, node.attributes.get_float("epsilon", 1e-5f));
  ASSIGN_OR_RETURN(int64_t training, node.attributes.get_int("training_mode", 0));
  if (training != 0) return unimplemented("training_mode = 1 is not supported (inference only)");
  for (size_t i = 1; i < node.outputs.size(); ++i) {
    if (!node.outputs[i].empty()) {
      return unimplemented("the training outputs (mean, var, saved statistics) are not supported");
    }
  }
  return exec::make_kernel<BatchNormKernel>(epsilon);
}

MH_REGISTER_CPU_KERNEL(BatchNormalization, 7, exec::kMaxOpset, make_batch_norm);

}  // namespace
}  // namespace modelhost::engine::cpu

// RMSNormalization (opset 23+): Y = X / sqrt(mean(X^2 over dims [axis, rank)) + epsilon) * Scale,
// Scale broadcast over the normalized dims (right-aligned). The mean square is computed in
// double whatever stash_type says (at least as precise). float32 and float64; float16 /
// bfloat16 in float32.
#include <algorithm>
#include <cmath>

#include "engine/cpu/elementwise.h"
#include "engine/cpu/norm_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

template <typename T>
void rms_norm(const T* x, const T* scale, const std::vector<int64_t>& so, T* y, int64_t outer,
              int64_t inner, double eps, const exec::KernelContext& ctx) {
  exec::parallel_for(ctx, outer, 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* xi = x + r * inner;
      T* yo = y + r * inner;
      double sq = 0.0;
      for (int64_t i = 0; i < inner; ++i) {
        const double v = static_cast<double>(xi[i]);
        sq += v * v;
      }
      const double inv = 1.0 / std::sqrt(sq / static_cast<double>(inner) + eps);
      for (int64_t i = 0; i < inner; ++i) {
        yo[i] = static_cast<T>(static_cast<double>(xi[i]) * inv *
                               static_cast<double>(scale[so[static_cast<size_t>(i)]]));
      }
    }
  });
}

class RmsNormKernel final : public exec::Kernel {
 public:
  RmsNormKernel(int64_t axis, float epsilon) : axis_(axis), epsilon_(epsilon) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& s = *inputs[1];
    RETURN_IF_ERROR(exec::check_dtype(
        x, 0, "RMSNormalization",
        {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kBFloat16}));
    RETURN_IF_ERROR(exec::check_same_dtype(x, s));
    const int64_t rank = x.rank();
    ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_, std::max<int64_t>(rank, 1)));
    const Shape inner_shape(x.shape().begin() + std::min(axis, rank), x.shape().end());
    int64_t outer = 1;
    for (int64_t d = 0; d < std::min(axis, rank); ++d) outer *= x.shape()[static_cast<size_t>(d)];
    int64_t inner = 1;
    for (int64_t d : inner_shape) inner *= d;
    ASSIGN_OR_RETURN(std::vector<int64_t> so, param_offsets(s.shape(), inner_shape, "Scale"));
    if (x.num_elements() == 0) {
      outputs[0] = Tensor::allocate(x.dtype(), x.shape());
      return Status::ok_status();
    }
    switch (x.dtype()) {
      case DataType::kFloat32:
        outputs[0] = run<float>(x, s, so, outer, inner, ctx);
        return Status::ok_status();
      case DataType::kFloat64:
        outputs[0] = run<double>(x, s, so, outer, inner, ctx);
        return Status::ok_status();
      default: {
        ASSIGN_OR_RETURN(Tensor fx, half_to_float32(ctx, x));
        ASSIGN_OR_RETURN(Tensor fs, half_to_float32(ctx, s));
        Tensor fy = run<float>(fx, fs, so, outer, inner, ctx);
        ASSIGN_OR_RETURN(outputs[0], float32_to_half(ctx, fy, x.dtype()));
        return Status::ok_status();
      }
    }
  }

 private:
  template <typename T>
  Tensor run(const Tensor& x, const Tensor& s, const std::vector<int64_t>& so, int64_t outer,
             int64_t inner, const exec::KernelContext& ctx) const {
    Tensor y = Tensor::allocate(x.dtype(), x.shape());
    rms_norm(x.data<T>(), s.data<T>(), so, y.mutable_data<T>(), outer, inner, epsilon_, ctx);
    return y;
  }

  int64_t axis_;
  double epsilon_;
};

Result<std::unique_ptr<exec::Kernel>> make_rms_norm(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"axis", "epsilon", "stash_type"}));
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", -1));
  ASSIGN_OR_RETURN(float epsilon, node.attributes.get_float("epsilon", 1e-5f));
  ASSIGN_OR_RETURN(int64_t stash_type, node.attributes.get_int("stash_type", 1));
  if (stash_type != 1 && stash_type != 11) {
    return invalid_argument("stash_type must be 1 (float) or 11 (double), got " +
                            std::to_string(stash_type));
  }
  return exec::make_kernel<RmsNormKernel>(axis, epsilon);
}

MH_REGISTER_CPU_KERNEL(RMSNormalization, 23, exec::kMaxOpset, make_rms_norm);

}  // namespace
}  // namespace modelhost::engine::cpu

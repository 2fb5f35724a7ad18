// GroupNormalization: channels split into num_groups groups, each (n, group) normalized over its
// channels and spatial dims with epsilon, then scaled and shifted. Opset 18 takes scale and bias
// per group ([num_groups]); opset 21 per channel ([C]). float32 and float64.
#include <cmath>

#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

template <typename T>
void group_norm(const T* x, const T* scale, const T* bias, T* y, int64_t n, int64_t c,
                int64_t groups, int64_t inner, bool per_channel, double eps,
                const exec::KernelContext& ctx) {
  const int64_t cpg = c / groups;
  const int64_t span = cpg * inner;
  exec::parallel_for(ctx, n * groups, 1, [&](int64_t q0, int64_t q1) {
    for (int64_t q = q0; q < q1; ++q) {
      const int64_t g = q % groups;
      const T* xi = x + q * span;
      T* yo = y + q * span;
      double mean = 0.0, var = 0.0;
      for (int64_t i = 0; i < span; ++i) mean += static_cast<double>(xi[i]);
      mean /= static_cast<double>(span);
      for (int64_t i = 0; i < span; ++i) {
        const double d = static_cast<double>(xi[i]) - mean;
        var += d * d;
      }
      var /= static_cast<double>(span);
      const double inv = 1.0 / std::sqrt(var + eps);
      for (int64_t ch = 0; ch < cpg; ++ch) {
        const int64_t p = per_channel ? g * cpg + ch : g;
        const double a = inv * static_cast<double>(scale[p]);
        const double b = static_cast<double>(bias[p]);
        for (int64_t i = 0; i < inner; ++i) {
          const int64_t at = ch * inner + i;
          yo[at] = static_cast<T>((static_cast<double>(xi[at]) - mean) * a + b);
        }
      }
    }
  });
}

class GroupNormKernel final : public exec::Kernel {
 public:
  GroupNormKernel(int64_t groups, float epsilon, bool per_channel)
      : groups_(groups), epsilon_(epsilon), per_channel_(per_channel) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& s = *inputs[1];
    const Tensor& b = *inputs[2];
    RETURN_IF_ERROR(
        exec::check_dtype(x, 0, "GroupNormalization", {DataType::kFloat32, DataType::kFloat64}));
    RETURN_IF_ERROR(exec::check_same_dtype(x, s));
    RETURN_IF_ERROR(exec::check_same_dtype(x, b));
    if (x.rank() < 3) {
      return invalid_argument("X must have rank >= 3, got " + shape_to_string(x.shape()));
    }
    const int64_t n = x.shape()[0], c = x.shape()[1];
    if (c % groups_ != 0) {
      return invalid_argument(std::to_string(c) + " channels do not split into " +
                              std::to_string(groups_) + " groups");
    }
    const int64_t want = per_channel_ ? c : groups_;
    if (s.num_elements() != want || b.num_elements() != want) {
      return invalid_argument("scale and bias must have " + std::to_string(want) +
                              " elements, got " + shape_to_string(s.shape()) + " and " +
                              shape_to_string(b.shape()));
    }
    Tensor y = Tensor::allocate(x.dtype(), x.shape());
    if (x.num_elements() > 0) {
      const int64_t inner = x.num_elements() / (n * c);
      if (x.dtype() == DataType::kFloat32) {
        group_norm(x.data<float>(), s.data<float>(), b.data<float>(), y.mutable_data<float>(), n, c,
                   groups_, inner, per_channel_, epsilon_, ctx);
      } else {
        group_norm(x.data<double>(), s.data<double>(), b.data<double>(), y.mutable_data<double>(),
                   n, c, groups_, inner, per_channel_, epsilon_, ctx);
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  int64_t groups_;
  double epsilon_;
  bool per_channel_;
};

Result<std::unique_ptr<exec::Kernel>> make_group_norm(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 3, 3));
  if (node.opset >= 21) {
    RETURN_IF_ERROR(exec::check_attributes(node, {"epsilon", "num_groups", "stash_type"}));
  } else {
    RETURN_IF_ERROR(exec::check_attributes(node, {"epsilon", "num_groups"}));
  }
  if (!node.attributes.has("num_groups")) return invalid_argument("num_groups is required");
  ASSIGN_OR_RETURN(int64_t groups, node.attributes.get_int("num_groups", 1));
  ASSIGN_OR_RETURN(float epsilon, node.attributes.get_float("epsilon", 1e-5f));
  if (groups < 1) return invalid_argument("num_groups must be >= 1");
  return exec::make_kernel<GroupNormKernel>(groups, epsilon, node.opset >= 21);
}

MH_REGISTER_CPU_KERNEL(GroupNormalization, 18, exec::kMaxOpset, make_group_norm);

}  // namespace
}  // namespace modelhost::engine::cpu

// LayerNormalization (opset 17..21): normalizes over dims [axis, rank) with epsilon, then
// Y = normalized * Scale + B (Scale and B broadcast over the normalized dims). Optional outputs
// Mean and InvStdDev have shape X.shape[:axis] + [1] * (rank - axis). Statistics are computed
// in double whatever stash_type says (at least as precise). float32 and float64.
#include <cmath>

#include "engine/cpu/norm_util.h"
#include "engine/exec/kernel_registry.h"
#include "engine/ir/tensor_alloc.h"

namespace modelhost::engine::cpu {
namespace {

template <typename T>
void layer_norm(const T* x, const T* scale, const T* bias, const std::vector<int64_t>& so,
                const std::vector<int64_t>& bo, T* y, T* mean_out, T* inv_out, int64_t outer,
                int64_t inner, double eps, const exec::KernelContext& ctx) {
  exec::parallel_for(ctx, outer, 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* xi = x + r * inner;
      T* yo = y + r * inner;
      double mean = 0.0, var = 0.0;
      for (int64_t i = 0; i < inner; ++i) mean += static_cast<double>(xi[i]);
      mean /= static_cast<double>(inner);
      for (int64_t i = 0; i < inner; ++i) {
        const double d = static_cast<double>(xi[i]) - mean;
        var += d * d;
      }
      var /= static_cast<double>(inner);
      const double inv = 1.0 / std::sqrt(var + eps);
      for (int64_t i = 0; i < inner; ++i) {
        double v = (static_cast<double>(xi[i]) - mean) * inv *
                   static_cast<double>(scale[so[static_cast<size_t>(i)]]);
        if (bias) v += static_cast<double>(bias[bo[static_cast<size_t>(i)]]);
        yo[i] = static_cast<T>(v);
      }
      if (mean_out) mean_out[r] = static_cast<T>(mean);
      if (inv_out) inv_out[r] = static_cast<T>(inv);
    }
  });
}

class LayerNormKernel final : public exec::Kernel {
 public:
  LayerNormKernel(int64_t axis, float epsilon) : axis_(axis), epsilon_(epsilon) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& s = *inputs[1];
    const Tensor* b = inputs.size() > 2 ? inputs[2] : nullptr;
    RETURN_IF_ERROR(
        exec::check_dtype(x, 0, "LayerNormalization", {DataType::kFloat32, DataType::kFloat64}));
    RETURN_IF_ERROR(exec::check_same_dtype(x, s));
    if (b) RETURN_IF_ERROR(exec::check_same_dtype(x, *b));
    const int64_t rank = x.rank();
    ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_, std::max<int64_t>(rank, 1)));
    const Shape inner_shape(x.shape().begin() + axis, x.shape().end());
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.shape()[static_cast<size_t>(d)];
    int64_t inner = 1;
    for (int64_t d : inner_shape) inner *= d;
    ASSIGN_OR_RETURN(std::vector<int64_t> so, param_offsets(s.shape(), inner_shape, "Scale"));
    std::vector<int64_t> bo;
    if (b) {
      ASSIGN_OR_RETURN(bo, param_offsets(b->shape(), inner_shape, "B"));
    }
    Shape stat_shape(x.shape().begin(), x.shape().begin() + axis);
    stat_shape.resize(static_cast<size_t>(rank), 1);
    Tensor y = allocate_uninitialized(x.dtype(), x.shape());  // every row is written
    Tensor mean, inv;
    if (outputs.size() > 1) mean = Tensor::allocate(x.dtype(), stat_shape);
    if (outputs.size() > 2) inv = Tensor::allocate(x.dtype(), stat_shape);
    if (x.num_elements() > 0) {
      if (x.dtype() == DataType::kFloat32) {
        layer_norm(x.data<float>(), s.data<float>(), b ? b->data<float>() : nullptr, so, bo,
                   y.mutable_data<float>(), mean.defined() ? mean.mutable_data<float>() : nullptr,
                   inv.defined() ? inv.mutable_data<float>() : nullptr, outer, inner, epsilon_,
                   ctx);
      } else {
        layer_norm(x.data<double>(), s.data<double>(), b ? b->data<double>() : nullptr, so, bo,
                   y.mutable_data<double>(), mean.defined() ? mean.mutable_data<double>() : nullptr,
                   inv.defined() ? inv.mutable_data<double>() : nullptr, outer, inner, epsilon_,
                   ctx);
      }
    }
    outputs[0] = std::move(y);
    if (outputs.size() > 1) outputs[1] = std::move(mean);
    if (outputs.size() > 2) outputs[2] = std::move(inv);
    return Status::ok_status();
  }

 private:
  int64_t axis_;
  double epsilon_;
};

Result<std::unique_ptr<exec::Kernel>> make_layer_norm(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 3, 3));
  RETURN_IF_ERROR(exec::check_attributes(node, {"axis", "epsilon", "stash_type"}));
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", -1));
  ASSIGN_OR_RETURN(float epsilon, node.attributes.get_float("epsilon", 1e-5f));
  ASSIGN_OR_RETURN(int64_t stash_type, node.attributes.get_int("stash_type", 1));
  if (stash_type != 1 && stash_type != 11) {
    return invalid_argument("stash_type must be 1 (float) or 11 (double)");
  }
  return exec::make_kernel<LayerNormKernel>(axis, epsilon);
}

MH_REGISTER_CPU_KERNEL(LayerNormalization, 17, exec::kMaxOpset, make_layer_norm);

}  // namespace
}  // namespace modelhost::engine::cpu

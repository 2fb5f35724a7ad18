// Softmax over float32, in its two ONNX definitions:
//  * opset 1..12: the input is coerced to 2-D at `axis` (default 1), [prod(dims[:axis]),
//    prod(dims[axis:])], and softmax runs over each row;
//  * opset 13+: softmax runs along the single dim `axis` (default -1).
#include <algorithm>
#include <cmath>

#include "engine/cpu/elementwise.h"
#include "engine/cpu/vec_math.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

// Softmax of `n` values spaced `inner` apart, for `outer` x `inner` independent vectors. Each
// vector is read whole (its maximum) before it is written, by one task, so y may be x.
void softmax(const float* x, float* y, int64_t outer, int64_t n, int64_t inner,
             const exec::KernelContext& ctx) {
  exec::parallel_for(ctx, outer * inner, std::max<int64_t>(1, 4096 / std::max<int64_t>(n, 1)),
                     [&](int64_t v0, int64_t v1) {
                       for (int64_t v = v0; v < v1; ++v) {
                         const int64_t base = (v / inner) * n * inner + (v % inner);
                         const float* in = x + base;
                         float* out = y + base;
                         float max = in[0];
                         for (int64_t i = 1; i < n; ++i) max = std::max(max, in[i * inner]);
                         if (inner == 1) {  // a contiguous row: the vectorized exponentials
                           if (out != in) std::copy(in, in + n, out);
                           const float scale = 1.0f / exp_shifted_inplace(out, n, max);
                           for (int64_t i = 0; i < n; ++i) out[i] *= scale;
                           continue;
                         }
                         float sum = 0.0f;
                         for (int64_t i = 0; i < n; ++i) {
                           out[i * inner] = std::exp(in[i * inner] - max);
                           sum += out[i * inner];
                         }
                         const float scale = 1.0f / sum;
                         for (int64_t i = 0; i < n; ++i) out[i * inner] *= scale;
                       }
                     });
}

class SoftmaxKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    return exec::float32_only(inputs, outputs, "Softmax");
  }
  SoftmaxKernel(int64_t axis, bool coerce_2d) : axis_(axis), coerce_2d_(coerce_2d) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    RETURN_IF_ERROR(exec::check_dtype(x, 0, "Softmax", {DataType::kFloat32}));
    const int64_t rank = x.rank();
    // Opset < 13 allows axis == rank (a [N, 1] coercion); the single-axis form does not.
    int64_t axis = axis_;
    if (coerce_2d_ && axis == rank) {
      axis = rank;
    } else {
      ASSIGN_OR_RETURN(axis, exec::normalize_axis(axis_, std::max<int64_t>(rank, 1)));
    }
    const Shape& d = x.shape();
    int64_t outer = 1, n = 1, inner = 1;
    for (int64_t i = 0; i < rank; ++i) {
      const int64_t v = d[static_cast<size_t>(i)];
      if (i < axis)
        outer *= v;
      else if (coerce_2d_ || i == axis)
        n *= v;
      else
        inner *= v;
    }
    // Over x when the executor donated it (see softmax() above).
    Tensor y = output_over(outputs[0], x, DataType::kFloat32, d);
    if (y.num_elements() > 0) {
      softmax(x.data<float>(), y.mutable_data<float>(), outer, n, inner, ctx);
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  int64_t axis_;
  bool coerce_2d_;
};

Result<std::unique_ptr<exec::Kernel>> make_softmax_v1(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"axis"}));
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", 1));
  return exec::make_kernel<SoftmaxKernel>(axis, /*coerce_2d=*/true);
}

Result<std::unique_ptr<exec::Kernel>> make_softmax_v13(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"axis"}));
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", -1));
  return exec::make_kernel<SoftmaxKernel>(axis, /*coerce_2d=*/false);
}

MH_REGISTER_CPU_KERNEL(Softmax, 1, 12, make_softmax_v1);
MH_REGISTER_CPU_KERNEL(Softmax, 13, exec::kMaxOpset, make_softmax_v13);

}  // namespace
}  // namespace modelhost::engine::cpu

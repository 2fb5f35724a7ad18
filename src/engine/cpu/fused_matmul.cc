// FusedMatMul (domain com.modelhost, made by opt/matmul_bias_fusion):
//   Y = act(A x B + bias)   or   Y = A x B + bias + Z
// A is [..., M, K] (or [K], giving [N]), B a 2-D [K, N] weight, bias an optional [N], Z an optional residual; every
// leading dim of A folds into M, so the whole product is one GEMM. Y starts as the bias rows
// (plus Z when it has Y's shape) and the GEMM accumulates into it, so neither costs an extra
// pass; the activation (cpu/activation.h) runs over Y after. A Z of another shape is added with
// numpy broadcasting after the GEMM. float32.
#include <algorithm>

#include "engine/cpu/activation.h"
#include "engine/cpu/elementwise.h"
#include "engine/cpu/gemm_core.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class FusedMatMulKernel final : public exec::Kernel {
 public:
  explicit FusedMatMulKernel(Activation act) : act_(act) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& a = *inputs[0];
    const Tensor& b = *inputs[1];
    const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
    const Tensor* z = inputs.size() > 3 ? inputs[3] : nullptr;
    if (z) RETURN_IF_ERROR(exec::check_dtype(*z, 3, "FusedMatMul", {DataType::kFloat32}));
    RETURN_IF_ERROR(exec::check_dtype(a, 0, "FusedMatMul", {DataType::kFloat32}));
    RETURN_IF_ERROR(exec::check_dtype(b, 1, "FusedMatMul", {DataType::kFloat32}));
    if (a.rank() < 1 || b.rank() != 2 || a.shape().back() != b.shape()[0]) {
      return invalid_argument("FusedMatMul needs A [..., K] and B [K, N], got " +
                              shape_to_string(a.shape()) + " x " + shape_to_string(b.shape()));
    }
    const int64_t k = b.shape()[0], n = b.shape()[1];
    if (bias != nullptr) {
      RETURN_IF_ERROR(exec::check_dtype(*bias, 2, "FusedMatMul", {DataType::kFloat32}));
      if (bias->num_elements() != n) {
        return invalid_argument("bias " + shape_to_string(bias->shape()) + " does not have N = " +
                                std::to_string(n) + " elements");
      }
    }
    Shape out_shape = a.shape();
    out_shape.back() = n;
    RETURN_IF_ERROR(checked_num_elements(out_shape, sizeof(float)).status());
    Tensor y = Tensor::allocate(DataType::kFloat32, out_shape);
    const int64_t m = n == 0 ? 0 : y.num_elements() / n;
    float* py = y.mutable_data<float>();
    const bool z_in_place = z != nullptr && z->shape() == out_shape;
    const float* pb = bias != nullptr ? bias->data<float>() : nullptr;
    const float* pz = z_in_place ? z->data<float>() : nullptr;
    exec::parallel_for(ctx, m, 64, [&](int64_t r0, int64_t r1) {
      for (int64_t i = r0; i < r1; ++i) {
        float* row = py + i * n;
        if (pz != nullptr && pb != nullptr) {
          const float* zr = pz + i * n;
          for (int64_t j = 0; j < n; ++j) row[j] = zr[j] + pb[j];
        } else if (pz != nullptr) {
          std::copy(pz + i * n, pz + (i + 1) * n, row);
        } else if (pb != nullptr) {
          std::copy(pb, pb + n, row);
        }  // else: allocate() zero-filled it
      }
    });
    gemm_accumulate<float>(GemmShape{m, n, k, false, false}, 1.f, a.data<float>(),
                           b.data<float>(), py, ctx);
    if (z != nullptr && !z_in_place) {
      ASSIGN_OR_RETURN(Shape sum_shape, broadcast_shape(y.shape(), z->shape()));
      Tensor sum = Tensor::allocate(DataType::kFloat32, sum_shape);
      broadcast_apply(plan_broadcast(y.shape(), z->shape(), sum_shape), y.data<float>(),
                      z->data<float>(), sum.mutable_data<float>(),
                      [](float u, float v) { return u + v; }, ctx);
      y = std::move(sum);
    }
    act_.apply(y.mutable_data<float>(), y.num_elements(), ctx);
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  Activation act_;
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 4));
  RETURN_IF_ERROR(exec::check_attributes(node, {"activation", "activation_params"}));
  ASSIGN_OR_RETURN(Activation act, Activation::from_node(node));
  if (node.inputs.size() > 3 && act.kind != Activation::Kind::kNone) {
    // The fusion never makes one, and the order of sum and activation would be ambiguous.
    return invalid_argument("FusedMatMul takes an activation or a residual Z, not both");
  }
  return exec::make_kernel<FusedMatMulKernel>(act);
}

MH_REGISTER_CPU_DOMAIN_KERNEL(ir::kModelhostDomain, FusedMatMul, 1, 1, make);

}  // namespace
}  // namespace modelhost::engine::cpu

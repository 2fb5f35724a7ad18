// FusedMatMul (domain com.modelhost, made by opt/matmul_bias_fusion): Y = act(A x B + bias).
// A is [..., M, K], B a 2-D [K, N] weight, bias an optional [N]; every leading dim of A folds
// into M, so the whole product is one GEMM. Y starts as the bias rows and the GEMM accumulates
// into it, so the bias costs no extra pass; the activation (cpu/activation.h) runs over Y after.
// float32.
#include <algorithm>

#include "engine/cpu/activation.h"
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
    RETURN_IF_ERROR(exec::check_dtype(a, 0, "FusedMatMul", {DataType::kFloat32}));
    RETURN_IF_ERROR(exec::check_dtype(b, 1, "FusedMatMul", {DataType::kFloat32}));
    if (a.rank() < 2 || b.rank() != 2 || a.shape().back() != b.shape()[0]) {
      return invalid_argument("FusedMatMul needs A [..., M, K] and B [K, N], got " +
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
    if (bias != nullptr) {
      const float* pb = bias->data<float>();
      for (int64_t i = 0; i < m; ++i) std::copy(pb, pb + n, py + i * n);
    } else {
      std::fill(py, py + y.num_elements(), 0.f);
    }
    gemm_accumulate<float>(GemmShape{m, n, k, false, false}, 1.f, a.data<float>(),
                           b.data<float>(), py, ctx);
    act_.apply(py, y.num_elements(), ctx);
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  Activation act_;
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 3));
  RETURN_IF_ERROR(exec::check_attributes(node, {"activation", "activation_params"}));
  ASSIGN_OR_RETURN(Activation act, Activation::from_node(node));
  return exec::make_kernel<FusedMatMulKernel>(act);
}

MH_REGISTER_CPU_DOMAIN_KERNEL(ir::kModelhostDomain, FusedMatMul, 1, 1, make);

}  // namespace
}  // namespace modelhost::engine::cpu

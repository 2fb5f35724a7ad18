// FusedMatMul (domain com.modelhost, made by opt/matmul_bias_fusion and
// opt/matmul_weight_packing):
//   Y = act(A x B + bias)   or   Y = A x B + bias + Z
// A is [..., M, K] (or [K], giving [N]), B a weight, bias an optional [N], Z an optional
// residual; every leading dim of A folds into M, so the whole product is one GEMM. A Z of
// another shape than Y's is added with numpy broadcasting after the GEMM. float32.
//
// With the attribute packed_n = N, B is the weight packed at load time into strips of 16
// columns, [ceil(N / 16), K, 16], and the GEMM is cpu/sgemm_packed.h's, which applies the bias,
// a Z of Y's shape and the activation (cpu/activation.h) to each block of Y while it is in
// cache. Without it B is [K, N]: Y starts as the bias rows (plus Z), oneDNN's sgemm (which
// repacks B on every call) accumulates into it, then the activation runs over Y.
#include <algorithm>

#include "engine/cpu/activation.h"
#include "engine/cpu/elementwise.h"
#include "engine/cpu/gemm_core.h"
#include "engine/cpu/sgemm_packed.h"
#include "engine/exec/kernel_registry.h"
#include "engine/ir/tensor_alloc.h"

namespace modelhost::engine::cpu {
namespace {

class FusedMatMulKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    return exec::float32_only(inputs, outputs, "FusedMatMul");
  }
  FusedMatMulKernel(Activation act, int64_t packed_n) : act_(act), packed_n_(packed_n) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& a = *inputs[0];
    const Tensor& b = *inputs[1];
    const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
    const Tensor* z = inputs.size() > 3 ? inputs[3] : nullptr;
    if (z) RETURN_IF_ERROR(exec::check_dtype(*z, 3, "FusedMatMul", {DataType::kFloat32}));
    RETURN_IF_ERROR(exec::check_dtype(a, 0, "FusedMatMul", {DataType::kFloat32}));
    RETURN_IF_ERROR(exec::check_dtype(b, 1, "FusedMatMul", {DataType::kFloat32}));
    const bool packed = packed_n_ >= 0;
    if (packed) {
      const int64_t strips = (packed_n_ + kPackedStrip - 1) / kPackedStrip;
      if (a.rank() < 1 || b.rank() != 3 || b.shape()[0] != strips ||
          a.shape().back() != b.shape()[1] || b.shape()[2] != kPackedStrip) {
        return invalid_argument("FusedMatMul with packed_n = " + std::to_string(packed_n_) +
                                " needs A [..., K] and B [" + std::to_string(strips) +
                                ", K, 16], got " + shape_to_string(a.shape()) + " x " +
                                shape_to_string(b.shape()));
      }
    } else if (a.rank() < 1 || b.rank() != 2 || a.shape().back() != b.shape()[0]) {
      return invalid_argument("FusedMatMul needs A [..., K] and B [K, N], got " +
                              shape_to_string(a.shape()) + " x " + shape_to_string(b.shape()));
    }
    const int64_t k = packed ? b.shape()[1] : b.shape()[0];
    const int64_t n = packed ? packed_n_ : b.shape()[1];
    if (bias != nullptr) {
      RETURN_IF_ERROR(exec::check_dtype(*bias, 2, "FusedMatMul", {DataType::kFloat32}));
      if (bias->num_elements() != n) {
        return invalid_argument("bias " + shape_to_string(bias->shape()) +
                                " does not have N = " + std::to_string(n) + " elements");
      }
    }
    Shape out_shape = a.shape();
    out_shape.back() = n;
    RETURN_IF_ERROR(checked_num_elements(out_shape, sizeof(float)).status());
    // The packed GEMM writes every element; oneDNN's accumulates onto zeros or the bias rows.
    Tensor y = packed ? allocate_uninitialized(DataType::kFloat32, out_shape)
                      : Tensor::allocate(DataType::kFloat32, out_shape);
    const int64_t m = n == 0 ? 0 : y.num_elements() / n;
    float* py = y.mutable_data<float>();
    const bool z_in_place = z != nullptr && z->shape() == out_shape;
    const float* pb = bias != nullptr ? bias->data<float>() : nullptr;
    const float* pz = z_in_place ? z->data<float>() : nullptr;
    // The activation and a Z of another shape never come together (make() refuses both), so
    // the activation can always run right after the product (+ bias, + Z of Y's shape).
    if (packed) {
      const GemmEpilogue ep{pb, pz, act_.kind == Activation::Kind::kNone ? nullptr : &act_};
      sgemm_packed(m, n, k, a.data<float>(), b.data<float>(), py, ctx, ep);
    } else {
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
      act_.apply(py, y.num_elements(), ctx);
    }
    if (z != nullptr && !z_in_place) {
      ASSIGN_OR_RETURN(Shape sum_shape, broadcast_shape(y.shape(), z->shape()));
      Tensor sum = Tensor::allocate(DataType::kFloat32, sum_shape);
      broadcast_apply(
          plan_broadcast(y.shape(), z->shape(), sum_shape), y.data<float>(), z->data<float>(),
          sum.mutable_data<float>(), [](float u, float v) { return u + v; }, ctx);
      y = std::move(sum);
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  Activation act_;
  int64_t packed_n_;  // N when B is packed, else -1
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 4));
  RETURN_IF_ERROR(exec::check_attributes(node, {"activation", "activation_params", "packed_n"}));
  ASSIGN_OR_RETURN(Activation act, Activation::from_node(node));
  ASSIGN_OR_RETURN(int64_t packed_n, node.attributes.get_int("packed_n", -1));
  if (node.attributes.has("packed_n") && packed_n < 1) {
    return invalid_argument("packed_n must be at least 1, got " + std::to_string(packed_n));
  }
  if (node.inputs.size() > 3 && act.kind != Activation::Kind::kNone) {
    // The fusion never makes one, and the order of sum and activation would be ambiguous.
    return invalid_argument("FusedMatMul takes an activation or a residual Z, not both");
  }
  return exec::make_kernel<FusedMatMulKernel>(act, packed_n);
}

MH_REGISTER_CPU_DOMAIN_KERNEL(ir::kModelhostDomain, FusedMatMul, 1, 1, make);

}  // namespace
}  // namespace modelhost::engine::cpu

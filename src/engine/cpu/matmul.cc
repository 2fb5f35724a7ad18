// MatMul: numpy matmul. 1-D operands are promoted (A to [1,K], B to [K,1]) and the added dim
// removed from the result; leading (batch) dims broadcast. float32 and int64.
#include "engine/cpu/elementwise.h"
#include "engine/cpu/gemm_core.h"
#include "engine/cpu/matmul_shape.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class MatMulKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    static constexpr DataType kTypes[] = {DataType::kFloat32, DataType::kInt64};
    RETURN_IF_ERROR(exec::propagate_dtype(inputs, outputs, 0, 1));
    return exec::check_dtype(outputs[0], 0, "MatMul", kTypes);
  }
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& a = *inputs[0];
    const Tensor& b = *inputs[1];
    RETURN_IF_ERROR(exec::check_same_dtype(a, b));
    switch (a.dtype()) {
      case DataType::kFloat32:
        return run<float>(ctx, a, b, outputs[0]);
      case DataType::kInt64:
        return run<int64_t>(ctx, a, b, outputs[0]);
      default:
        return exec::check_dtype(a, 0, "MatMul", {DataType::kFloat32, DataType::kInt64});
    }
  }

 private:
  template <typename T>
  Status run(const exec::KernelContext& ctx, const Tensor& a, const Tensor& b, Tensor& out) const {
    ASSIGN_OR_RETURN(const MatMulShape ms,
                     resolve_matmul(a.shape(), b.shape(), "MatMul", sizeof(T)));
    const int64_t m = ms.m, k = ms.k, n = ms.n, batches = ms.batches;
    out = Tensor::allocate(a.dtype(), ms.out_shape);
    if (out.num_elements() == 0 || k == 0) return Status::ok_status();

    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* po = out.mutable_data<T>();
    const GemmShape s{m, n, k, false, false};
    if (ms.b_is_matrix) {
      // One 2-D B (a weight, typically): A's rows of every batch are one tall matrix.
      gemm_accumulate<T>(GemmShape{batches * m, n, k, false, false}, T(1), pa, pb, po, ctx);
      return Status::ok_status();
    }
    if (batches == 1) {
      gemm_accumulate<T>(s, T(1), pa + ms.a_matrix[0] * m * k, pb + ms.b_matrix[0] * k * n, po,
                         ctx);
      return Status::ok_status();
    }
    // Many small products: one thread per batch entry, each product inline.
    const exec::KernelContext inline_ctx;
    exec::parallel_for(ctx, batches, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        gemm_accumulate<T>(s, T(1), pa + ms.a_matrix[static_cast<size_t>(t)] * m * k,
                           pb + ms.b_matrix[static_cast<size_t>(t)] * k * n, po + t * m * n,
                           inline_ctx);
      }
    });
    return Status::ok_status();
  }
};

Result<std::unique_ptr<exec::Kernel>> make_matmul(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<MatMulKernel>();
}

MH_REGISTER_CPU_KERNEL(MatMul, 1, exec::kMaxOpset, make_matmul);

}  // namespace
}  // namespace modelhost::engine::cpu

// MatMul: numpy matmul. 1-D operands are promoted (A to [1,K], B to [K,1]) and the added dim
// removed from the result; leading (batch) dims broadcast. float32 and int64.
#include "engine/cpu/elementwise.h"
#include "engine/cpu/gemm_core.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class MatMulKernel final : public exec::Kernel {
 public:
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
    if (a.rank() == 0 || b.rank() == 0) {
      return invalid_argument("MatMul inputs must be at least 1-D, got " +
                              shape_to_string(a.shape()) + " and " + shape_to_string(b.shape()));
    }
    Shape as = a.shape(), bs = b.shape();
    const bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
    if (a_vec) as.insert(as.begin(), 1);
    if (b_vec) bs.push_back(1);
    const int64_t m = as[as.size() - 2], k = as.back();
    const int64_t n = bs.back();
    if (bs[bs.size() - 2] != k) {
      return invalid_argument("inner dimensions differ: " + shape_to_string(a.shape()) + " x " +
                              shape_to_string(b.shape()));
    }
    const std::span<const int64_t> a_batch(as.data(), as.size() - 2);
    const std::span<const int64_t> b_batch(bs.data(), bs.size() - 2);
    ASSIGN_OR_RETURN(Shape batch, broadcast_shape(a_batch, b_batch));

    Shape out_shape = batch;
    if (!a_vec) out_shape.push_back(m);
    if (!b_vec) out_shape.push_back(n);
    Shape full = batch;
    full.push_back(m);
    full.push_back(n);
    RETURN_IF_ERROR(checked_num_elements(full, sizeof(T)).status());
    out = Tensor::allocate(a.dtype(), out_shape);
    ASSIGN_OR_RETURN(int64_t batches, checked_num_elements(batch));
    if (out.num_elements() == 0 || k == 0) return Status::ok_status();

    // Offsets of each batch's matrices in A and B, following the broadcast.
    BroadcastPlan plan = plan_broadcast(a_batch, b_batch, batch);
    std::vector<int64_t> a_off(static_cast<size_t>(batches)), b_off(static_cast<size_t>(batches));
    for (int64_t t = 0; t < batches; ++t) {
      int64_t rem = t, ao = 0, bo = 0;
      for (size_t d = plan.dims.size(); d-- > 0;) {
        const int64_t i = rem % plan.dims[d];
        rem /= plan.dims[d];
        ao += i * plan.a_stride[d];
        bo += i * plan.b_stride[d];
      }
      a_off[static_cast<size_t>(t)] = ao * m * k;
      b_off[static_cast<size_t>(t)] = bo * k * n;
    }

    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* po = out.mutable_data<T>();
    const GemmShape s{m, n, k, false, false};
    if (bs.size() == 2 && !b_vec) {
      // One 2-D B (a weight, typically): A's rows of every batch are one tall matrix.
      gemm_accumulate<T>(GemmShape{batches * m, n, k, false, false}, T(1), pa, pb, po, ctx);
      return Status::ok_status();
    }
    if (batches == 1) {
      gemm_accumulate<T>(s, T(1), pa + a_off[0], pb + b_off[0], po, ctx);
      return Status::ok_status();
    }
    // Many small products: one thread per batch entry, each product inline.
    const exec::KernelContext inline_ctx;
    exec::parallel_for(ctx, batches, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        gemm_accumulate<T>(s, T(1), pa + a_off[static_cast<size_t>(t)],
                           pb + b_off[static_cast<size_t>(t)], po + t * m * n, inline_ctx);
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

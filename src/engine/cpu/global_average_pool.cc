// GlobalAveragePool (opset 7..21): average over all spatial dims, [N, C, d...] -> [N, C, 1...].
// Each (n, c) plane is contiguous, so the kernel is one vectorized sum per plane, planes spread
// over the intra-op pool (EfficientNet's squeeze-and-excite blocks call it 17 times a run).
// float32 and float64.
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class GlobalAveragePoolKernel final : public exec::Kernel {
 public:
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    RETURN_IF_ERROR(exec::check_dtype(x, 0, "GlobalAveragePool",
                                      {DataType::kFloat32, DataType::kFloat64}));
    if (x.rank() < 3) {
      return invalid_argument("X must be [N, C, d1, ...] with at least one spatial dim, got " +
                              shape_to_string(x.shape()));
    }
    Shape y_shape = {x.shape()[0], x.shape()[1]};
    int64_t plane = 1;
    for (int64_t d = 2; d < x.rank(); ++d) {
      plane *= x.shape()[static_cast<size_t>(d)];
      y_shape.push_back(1);
    }
    Tensor y = Tensor::allocate(x.dtype(), y_shape);
    const int64_t planes = y.num_elements();
    if (plane == 0) {
      return invalid_argument("X " + shape_to_string(x.shape()) + " has an empty spatial dim");
    }
    if (x.dtype() == DataType::kFloat32) {
      average<float>(ctx, x.data<float>(), y.mutable_data<float>(), planes, plane);
    } else {
      average<double>(ctx, x.data<double>(), y.mutable_data<double>(), planes, plane);
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  template <typename T>
  static void average(const exec::KernelContext& ctx, const T* x, T* y, int64_t planes,
                      int64_t plane) {
    const int64_t min_planes = std::max<int64_t>(1, 16384 / plane);
    exec::parallel_for(ctx, planes, min_planes, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const T* src = x + p * plane;
        T sum = 0;
#pragma omp simd reduction(+ : sum)
        for (int64_t i = 0; i < plane; ++i) sum += src[i];
        y[p] = sum / static_cast<T>(plane);
      }
    });
  }
};

Result<std::unique_ptr<exec::Kernel>> make_global_average_pool(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<GlobalAveragePoolKernel>();
}

MH_REGISTER_CPU_KERNEL(GlobalAveragePool, 7, exec::kMaxOpset, make_global_average_pool);

}  // namespace
}  // namespace modelhost::engine::cpu

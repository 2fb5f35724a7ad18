// Det (opset 11+): the determinant of each square matrix in the last two dims of X [*, M, M],
// by LU decomposition with partial pivoting in double. float32 and float64; float16 / bfloat16 in
// float32.
#include <cmath>
#include <utility>
#include <vector>

#include "engine/cpu/elementwise.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

double determinant(std::vector<double>& a, int64_t m) {
  double det = 1.0;
  for (int64_t k = 0; k < m; ++k) {
    int64_t pivot = k;
    for (int64_t r = k + 1; r < m; ++r) {
      if (std::fabs(a[static_cast<size_t>(r * m + k)]) >
          std::fabs(a[static_cast<size_t>(pivot * m + k)])) {
        pivot = r;
      }
    }
    const double p = a[static_cast<size_t>(pivot * m + k)];
    if (p == 0.0) return 0.0;
    if (pivot != k) {
      for (int64_t c = 0; c < m; ++c) {
        std::swap(a[static_cast<size_t>(k * m + c)], a[static_cast<size_t>(pivot * m + c)]);
      }
      det = -det;
    }
    det *= p;
    for (int64_t r = k + 1; r < m; ++r) {
      const double f = a[static_cast<size_t>(r * m + k)] / p;
      if (f == 0.0) continue;
      for (int64_t c = k + 1; c < m; ++c) {
        a[static_cast<size_t>(r * m + c)] -= f * a[static_cast<size_t>(k * m + c)];
      }
    }
  }
  return det;
}

template <typename T>
Tensor det_batch(const Tensor& x, const Shape& out_shape, int64_t m,
                 const exec::KernelContext& ctx) {
  Tensor y = Tensor::allocate(x.dtype(), out_shape);
  const T* in = x.data<T>();
  T* o = y.mutable_data<T>();
  exec::parallel_for(ctx, y.num_elements(), 1, [&](int64_t b0, int64_t b1) {
    std::vector<double> a(static_cast<size_t>(m * m));
    for (int64_t b = b0; b < b1; ++b) {
      for (int64_t i = 0; i < m * m; ++i) {
        a[static_cast<size_t>(i)] = static_cast<double>(in[b * m * m + i]);
      }
      o[b] = static_cast<T>(determinant(a, m));
    }
  });
  return y;
}

class DetKernel final : public exec::Kernel {
 public:
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    RETURN_IF_ERROR(exec::check_dtype(
        x, 0, "Det",
        {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kBFloat16}));
    const int64_t rank = x.rank();
    if (rank < 2 ||
        x.shape()[static_cast<size_t>(rank - 1)] != x.shape()[static_cast<size_t>(rank - 2)]) {
      return invalid_argument("Det needs square matrices in the last two dims [*, M, M], got " +
                              shape_to_string(x.shape()));
    }
    const int64_t m = x.shape().back();
    const Shape out_shape(x.shape().begin(), x.shape().end() - 2);
    switch (x.dtype()) {
      case DataType::kFloat32:
        outputs[0] = det_batch<float>(x, out_shape, m, ctx);
        return Status::ok_status();
      case DataType::kFloat64:
        outputs[0] = det_batch<double>(x, out_shape, m, ctx);
        return Status::ok_status();
      default: {
        ASSIGN_OR_RETURN(Tensor fx, half_to_float32(ctx, x));
        ASSIGN_OR_RETURN(outputs[0],
                         float32_to_half(ctx, det_batch<float>(fx, out_shape, m, ctx), x.dtype()));
        return Status::ok_status();
      }
    }
  }
};

Result<std::unique_ptr<exec::Kernel>> make_det(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<DetKernel>();
}

MH_REGISTER_CPU_KERNEL(Det, 11, exec::kMaxOpset, make_det);

}  // namespace
}  // namespace modelhost::engine::cpu

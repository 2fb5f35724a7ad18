// QLinearMatMul (opset 10+): quantized matmul with numpy matmul semantics. The int32 product of
// (a - a_zero_point) and (b - b_zero_point) is requantized to y's dtype (y_zero_point's: int8 or
// uint8): round_half_even(acc * a_scale * b_scale / y_scale) + y_zero_point, saturated. The scale
// multiplier is computed in the scales' dtype (float32, or float16 / bfloat16 from opset 21), as
// the reference does. a_scale / a_zero_point may hold one value per row of a, b_scale /
// b_zero_point one per column of b.
#include <string>
#include <vector>

#include "engine/cpu/elementwise.h"
#include "engine/cpu/matmul_shape.h"
#include "engine/cpu/quant_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class QLinearMatMulKernel final : public exec::Kernel {
 public:
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& a = *inputs[0];
    const Tensor& b = *inputs[3];
    const Tensor& a_zp = *inputs[2];
    const Tensor& b_zp = *inputs[5];
    const Tensor& y_zp = *inputs[7];
    for (size_t i : {size_t{0}, size_t{2}, size_t{3}, size_t{5}, size_t{7}}) {
      RETURN_IF_ERROR(
          exec::check_dtype(*inputs[i], i, "QLinearMatMul", {DataType::kInt8, DataType::kUInt8}));
    }
    if (a_zp.dtype() != a.dtype() || b_zp.dtype() != b.dtype()) {
      return invalid_argument("a_zero_point and b_zero_point must have the dtypes of a and b");
    }
    const DataType scale_dtype = inputs[1]->dtype();
    if (inputs[4]->dtype() != scale_dtype || inputs[6]->dtype() != scale_dtype) {
      return invalid_argument("a_scale, b_scale and y_scale must have the same dtype");
    }
    ASSIGN_OR_RETURN(std::vector<float> a_scale, read_scales(*inputs[1], "a_scale"));
    ASSIGN_OR_RETURN(std::vector<float> b_scale, read_scales(*inputs[4], "b_scale"));
    ASSIGN_OR_RETURN(std::vector<float> y_scale, read_scales(*inputs[6], "y_scale"));
    if (y_scale.size() != 1 || y_zp.num_elements() != 1) {
      return invalid_argument("y_scale and y_zero_point must hold one value");
    }
    ASSIGN_OR_RETURN(const MatMulShape ms,
                     resolve_matmul(a.shape(), b.shape(), "QLinearMatMul", sizeof(int32_t)));
    const int64_t m = ms.m, k = ms.k, n = ms.n, batches = ms.batches;
    ASSIGN_OR_RETURN(a_scale, expand_param(a_scale, m, "a_scale"));
    ASSIGN_OR_RETURN(b_scale, expand_param(b_scale, n, "b_scale"));
    ASSIGN_OR_RETURN(std::vector<int32_t> azp,
                     expand_param(widen_quantized(a_zp), m, "a_zero_point"));
    ASSIGN_OR_RETURN(std::vector<int32_t> bzp,
                     expand_param(widen_quantized(b_zp), n, "b_zero_point"));
    const int32_t yzp = widen_quantized(y_zp)[0];
    Tensor y = Tensor::allocate(y_zp.dtype(), ms.out_shape);
    if (y.num_elements() == 0) {
      outputs[0] = std::move(y);
      return Status::ok_status();
    }
    // multiplier[i][j] = a_scale[i] * b_scale[j] / y_scale, rounded as the scales' dtype.
    std::vector<double> mult(static_cast<size_t>(m * n));
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        const float ab = round_to_scale_dtype(
            a_scale[static_cast<size_t>(i)] * b_scale[static_cast<size_t>(j)], scale_dtype);
        mult[static_cast<size_t>(i * n + j)] = round_to_scale_dtype(ab / y_scale[0], scale_dtype);
      }
    }
    const std::vector<int32_t> av = widen_quantized(a), bv = widen_quantized(b);
    const DataType out_dtype = y.dtype();
    uint8_t* po = static_cast<uint8_t*>(y.mutable_raw_data());
    exec::parallel_for(ctx, batches * m, 1, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t t = r / m, i = r % m;
        const int64_t ao = ms.a_matrix[static_cast<size_t>(t)];
        const int64_t bo = ms.b_matrix[static_cast<size_t>(t)];
        const int32_t* arow = av.data() + (ao * m + i) * k;
        const int32_t* bm = bv.data() + bo * k * n;
        const int32_t za = azp[static_cast<size_t>(i)];
        for (int64_t j = 0; j < n; ++j) {
          int64_t acc = 0;
          const int32_t zb = bzp[static_cast<size_t>(j)];
          for (int64_t p = 0; p < k; ++p) acc += (arow[p] - za) * (bm[p * n + j] - zb);
          const int32_t q = requantize(acc, mult[static_cast<size_t>(i * n + j)], yzp, out_dtype);
          po[(t * m + i) * n + j] = static_cast<uint8_t>(q);  // two's complement for int8
        }
      }
    });
    outputs[0] = std::move(y);
    return Status::ok_status();
  }
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 8, 8));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<QLinearMatMulKernel>();
}

MH_REGISTER_CPU_KERNEL(QLinearMatMul, 10, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

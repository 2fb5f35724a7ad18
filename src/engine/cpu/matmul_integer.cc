// MatMulInteger (opset 10+): int32 Y = (A - a_zero_point) x (B - b_zero_point) with numpy matmul
// semantics (1-D operands promoted then removed, leading dims broadcast). A and B are int8 or
// uint8; a_zero_point is a scalar or one value per row of A ([M]), b_zero_point a scalar or one
// value per column of B ([N]), each of its operand's dtype.
#include <string>
#include <vector>

#include "engine/cpu/elementwise.h"
#include "engine/cpu/matmul_shape.h"
#include "engine/cpu/quant_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

// Per-index zero points of length `len` from a scalar or [len] tensor; zeros when absent.
Result<std::vector<int32_t>> zero_points(const Tensor* zp, const Tensor& operand, int64_t len,
                                         const char* what) {
  if (zp == nullptr) return std::vector<int32_t>(static_cast<size_t>(len), 0);
  if (zp->dtype() != operand.dtype()) {
    return invalid_argument(std::string(what) + " has dtype " +
                            std::string(dtype_name(zp->dtype())) + " but its operand has " +
                            std::string(dtype_name(operand.dtype())));
  }
  const std::vector<int32_t> v = widen_quantized(*zp);
  if (v.size() == 1) return std::vector<int32_t>(static_cast<size_t>(len), v[0]);
  if (static_cast<int64_t>(v.size()) == len && zp->rank() == 1) return v;
  return invalid_argument(std::string(what) + " " + shape_to_string(zp->shape()) +
                          " must be a scalar or hold " + std::to_string(len) + " values");
}

class MatMulIntegerKernel final : public exec::Kernel {
 public:
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& a = *inputs[0];
    const Tensor& b = *inputs[1];
    RETURN_IF_ERROR(exec::check_dtype(a, 0, "MatMulInteger", {DataType::kInt8, DataType::kUInt8}));
    RETURN_IF_ERROR(exec::check_dtype(b, 1, "MatMulInteger", {DataType::kInt8, DataType::kUInt8}));
    ASSIGN_OR_RETURN(const MatMulShape ms,
                     resolve_matmul(a.shape(), b.shape(), "MatMulInteger", sizeof(int32_t)));
    const int64_t m = ms.m, k = ms.k, n = ms.n, batches = ms.batches;
    ASSIGN_OR_RETURN(std::vector<int32_t> azp,
                     zero_points(inputs.size() > 2 ? inputs[2] : nullptr, a, m, "a_zero_point"));
    ASSIGN_OR_RETURN(std::vector<int32_t> bzp,
                     zero_points(inputs.size() > 3 ? inputs[3] : nullptr, b, n, "b_zero_point"));
    Tensor y = Tensor::allocate(DataType::kInt32, ms.out_shape);
    if (y.num_elements() == 0) {
      outputs[0] = std::move(y);
      return Status::ok_status();
    }
    const std::vector<int32_t> av = widen_quantized(a), bv = widen_quantized(b);
    int32_t* po = y.mutable_data<int32_t>();
    exec::parallel_for(ctx, batches * m, 1, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t t = r / m, i = r % m;
        const int64_t ao = ms.a_matrix[static_cast<size_t>(t)];
        const int64_t bo = ms.b_matrix[static_cast<size_t>(t)];
        const int32_t* arow = av.data() + (ao * m + i) * k;
        const int32_t* bm = bv.data() + bo * k * n;
        int32_t* orow = po + (t * m + i) * n;
        const int32_t za = azp[static_cast<size_t>(i)];
        for (int64_t j = 0; j < n; ++j) {
          // Accumulated in int64; a sum past the int32 range wraps (C++20 conversion).
          int64_t acc = 0;
          const int32_t zb = bzp[static_cast<size_t>(j)];
          for (int64_t p = 0; p < k; ++p) acc += (arow[p] - za) * (bm[p * n + j] - zb);
          orow[j] = static_cast<int32_t>(acc);
        }
      }
    });
    outputs[0] = std::move(y);
    return Status::ok_status();
  }
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 4));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<MatMulIntegerKernel>();
}

MH_REGISTER_CPU_KERNEL(MatMulInteger, 10, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

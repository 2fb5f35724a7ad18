// Gemm: Y = alpha * op(A) * op(B) + beta * C, A and B 2-D, C broadcast to [M, N] (numpy
// unidirectional broadcasting). float32.
#include <cmath>

#include "engine/cpu/elementwise.h"
#include "engine/cpu/gemm_core.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class GemmKernel final : public exec::Kernel {
 public:
  Status infer_types(std::span<const DataType> inputs, std::span<DataType> outputs) const override {
    return exec::float32_only(inputs, outputs, "Gemm");
  }
  GemmKernel(float alpha, float beta, bool trans_a, bool trans_b)
      : alpha_(alpha), beta_(beta), trans_a_(trans_a), trans_b_(trans_b) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& a = *inputs[0];
    const Tensor& b = *inputs[1];
    const Tensor* c = inputs.size() > 2 ? inputs[2] : nullptr;
    RETURN_IF_ERROR(exec::check_dtype(a, 0, "Gemm", {DataType::kFloat32}));
    RETURN_IF_ERROR(exec::check_dtype(b, 1, "Gemm", {DataType::kFloat32}));
    if (a.rank() != 2 || b.rank() != 2) {
      return invalid_argument("A and B must be 2-D, got " + shape_to_string(a.shape()) + " and " +
                              shape_to_string(b.shape()));
    }
    GemmShape s;
    s.trans_a = trans_a_;
    s.trans_b = trans_b_;
    s.m = trans_a_ ? a.shape()[1] : a.shape()[0];
    s.k = trans_a_ ? a.shape()[0] : a.shape()[1];
    const int64_t kb = trans_b_ ? b.shape()[1] : b.shape()[0];
    s.n = trans_b_ ? b.shape()[0] : b.shape()[1];
    if (kb != s.k) {
      return invalid_argument("inner dimensions differ: A " + shape_to_string(a.shape()) +
                              (trans_a_ ? " (transposed)" : "") + ", B " +
                              shape_to_string(b.shape()) + (trans_b_ ? " (transposed)" : ""));
    }
    const Shape y_shape = {s.m, s.n};
    RETURN_IF_ERROR(checked_num_elements(y_shape, sizeof(float)).status());
    Tensor y = Tensor::allocate(DataType::kFloat32, y_shape);
    float* out = y.mutable_data<float>();
    if (c != nullptr && beta_ != 0.0f) {
      RETURN_IF_ERROR(exec::check_dtype(*c, 2, "Gemm", {DataType::kFloat32}));
      RETURN_IF_ERROR(init_from_c(*c, s, out));
    }
    gemm_accumulate(s, alpha_, a.data<float>(), b.data<float>(), out, ctx);
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  // Y = beta * C, with C broadcast (unidirectionally) to [M, N].
  Status init_from_c(const Tensor& c, const GemmShape& s, float* out) const {
    const Shape& cs = c.shape();
    const int64_t target[2] = {s.m, s.n};
    bool ok = cs.size() <= 2;
    for (size_t i = 0; ok && i < cs.size(); ++i) {
      const int64_t want = target[2 - cs.size() + i];
      ok = cs[i] == 1 || cs[i] == want;
    }
    if (!ok) {
      return invalid_argument("C " + shape_to_string(cs) + " cannot be broadcast to [" +
                              std::to_string(s.m) + "," + std::to_string(s.n) + "]");
    }
    const int64_t rows = cs.size() == 2 ? cs[0] : 1;
    const int64_t cols = cs.empty() ? 1 : cs.back();
    const float* cp = c.data<float>();
    for (int64_t i = 0; i < s.m; ++i) {
      const float* row = cp + (rows == 1 ? 0 : i) * cols;
      float* o = out + i * s.n;
      if (cols == 1) {
        for (int64_t j = 0; j < s.n; ++j) o[j] = beta_ * row[0];
      } else {
        for (int64_t j = 0; j < s.n; ++j) o[j] = beta_ * row[j];
      }
    }
    return Status::ok_status();
  }

  float alpha_, beta_;
  bool trans_a_, trans_b_;
};

Result<std::unique_ptr<exec::Kernel>> make_gemm(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 3));
  RETURN_IF_ERROR(exec::check_attributes(node, {"alpha", "beta", "transA", "transB"}));
  ASSIGN_OR_RETURN(float alpha, node.attributes.get_float("alpha", 1.0f));
  ASSIGN_OR_RETURN(float beta, node.attributes.get_float("beta", 1.0f));
  ASSIGN_OR_RETURN(int64_t trans_a, node.attributes.get_int("transA", 0));
  ASSIGN_OR_RETURN(int64_t trans_b, node.attributes.get_int("transB", 0));
  if ((trans_a != 0 && trans_a != 1) || (trans_b != 0 && trans_b != 1)) {
    return invalid_argument("transA and transB must be 0 or 1, got " + std::to_string(trans_a) +
                            " and " + std::to_string(trans_b));
  }
  if (!std::isfinite(alpha) || !std::isfinite(beta)) {
    return invalid_argument("alpha and beta must be finite");
  }
  return exec::make_kernel<GemmKernel>(alpha, beta, trans_a == 1, trans_b == 1);
}

MH_REGISTER_CPU_KERNEL(Gemm, 7, exec::kMaxOpset, make_gemm);

}  // namespace
}  // namespace modelhost::engine::cpu

// GEMM through cuBLASLt: D = act(A x B + bias), row-major A (m x k), B (k x n), D (m x n), with
// float32 accumulation in every precision. The bias (n floats, added to every row) and the
// ReLU/GELU activation run in cuBLASLt's epilogue, fused into the matmul.
#pragma once

#include <cublasLt.h>
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <tuple>

#include "common/status.h"
#include "engine/cuda/kernels.h"
#include "engine/cuda/precision.h"

namespace modelhost::engine::cuda {

struct GemmArgs {
  int64_t m = 0, n = 0, k = 0;
  const void* a = nullptr;      // m x k, row-major, in the precision's storage type
  const void* b = nullptr;      // k x n, row-major
  void* d = nullptr;            // m x n, row-major
  const float* bias = nullptr;  // n floats, or null (fp16/bf16: converted by the caller)
  Activation activation = Activation::kNone;  // kNone, kRelu or kGelu
  bool b_transposed = false;                  // B is given as n x k (a weight stored [out, in])
  // fp16/bf16: D is float32 (A and B in the 16-bit type), so the result needs no conversion.
  bool d_f32 = false;
  // Strided batches (attention): `batch` products, operand i at base + i * stride (in elements).
  int64_t batch = 1;
  int64_t stride_a = 0, stride_b = 0, stride_d = 0;
};

// One cuBLASLt handle and a workspace; not thread-safe (one per stream / worker instance). The
// algorithm cuBLASLt's heuristic picks is kept per problem (shapes, precision, epilogue), so the
// heuristic runs once per shape rather than on every call.
class LtGemm {
 public:
  static Result<LtGemm> create(size_t workspace_bytes = 32ull << 20);
  LtGemm(LtGemm&& other) noexcept;
  LtGemm& operator=(LtGemm&& other) noexcept;
  ~LtGemm();

  Status run(const GemmArgs& args, Precision precision, cudaStream_t stream);

 private:
  LtGemm(cublasLtHandle_t h, void* workspace, size_t bytes)
      : handle_(h), workspace_(workspace), workspace_bytes_(bytes) {}
  // m, n, k, batch, strides a/b/d, precision, b transposed, d float32, bias, activation.
  using ProblemKey = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int,
                                bool, bool, bool, int>;
  cublasLtHandle_t handle_ = nullptr;
  void* workspace_ = nullptr;
  size_t workspace_bytes_ = 0;
  std::map<ProblemKey, cublasLtMatmulAlgo_t> algos_;
};

}  // namespace modelhost::engine::cuda

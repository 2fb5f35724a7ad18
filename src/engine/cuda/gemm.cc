// See gemm.h. cuBLASLt is column-major; a row-major D = A x B is computed as the column-major
// D^T = B^T x A^T, i.e. the operands are passed swapped with their row-major shapes read as the
// transposed column-major ones (no copies).
#include "engine/cuda/gemm.h"

#include <cuda_runtime.h>

#include <memory>
#include <string>
#include <utility>

#include "engine/cuda/runtime.h"

namespace modelhost::engine::cuda {
namespace {

Status lt_status(cublasStatus_t st, const char* what) {
  if (st == CUBLAS_STATUS_SUCCESS) return Status::ok_status();
  return internal_error(std::string(what) + ": cuBLASLt status " + std::to_string(st) + " (" +
                        cublasLtGetStatusString(st) + ")");
}

#define LT_RETURN_IF_ERROR(expr, what)                                                          \
  do {                                                                                          \
    if (cublasStatus_t _st = (expr); _st != CUBLAS_STATUS_SUCCESS) return lt_status(_st, what); \
  } while (0)

template <typename T, cublasStatus_t (*Destroy)(T)>
struct LtDeleter {
  void operator()(T p) const {
    if (p != nullptr) Destroy(p);
  }
};
using OpDesc = std::unique_ptr<std::remove_pointer_t<cublasLtMatmulDesc_t>,
                               LtDeleter<cublasLtMatmulDesc_t, cublasLtMatmulDescDestroy>>;
using Layout = std::unique_ptr<std::remove_pointer_t<cublasLtMatrixLayout_t>,
                               LtDeleter<cublasLtMatrixLayout_t, cublasLtMatrixLayoutDestroy>>;
using Pref =
    std::unique_ptr<std::remove_pointer_t<cublasLtMatmulPreference_t>,
                    LtDeleter<cublasLtMatmulPreference_t, cublasLtMatmulPreferenceDestroy>>;

cudaDataType_t storage_type(Precision p) {
  switch (p) {
    case Precision::kFp16:
      return CUDA_R_16F;
    case Precision::kBf16:
      return CUDA_R_16BF;
    default:
      return CUDA_R_32F;
  }
}

}  // namespace

Result<LtGemm> LtGemm::create(size_t workspace_bytes) {
  cublasLtHandle_t h = nullptr;
  LT_RETURN_IF_ERROR(cublasLtCreate(&h), "cublasLtCreate");
  void* ws = nullptr;
  if (cudaError_t err = cudaMalloc(&ws, workspace_bytes); err != cudaSuccess) {
    cublasLtDestroy(h);
    return cuda_status(err, "cudaMalloc (cuBLASLt workspace)");
  }
  return LtGemm(h, ws, workspace_bytes);
}

LtGemm::LtGemm(LtGemm&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)),
      workspace_(std::exchange(other.workspace_, nullptr)),
      workspace_bytes_(other.workspace_bytes_),
      algos_(std::move(other.algos_)) {}

LtGemm& LtGemm::operator=(LtGemm&& other) noexcept {
  if (this != &other) {
    if (workspace_ != nullptr) cudaFree(workspace_);
    if (handle_ != nullptr) cublasLtDestroy(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
    workspace_ = std::exchange(other.workspace_, nullptr);
    workspace_bytes_ = other.workspace_bytes_;
    algos_ = std::move(other.algos_);
  }
  return *this;
}

LtGemm::~LtGemm() {
  if (workspace_ != nullptr) cudaFree(workspace_);
  if (handle_ != nullptr) cublasLtDestroy(handle_);
}

Status LtGemm::run(const GemmArgs& g, Precision precision, cudaStream_t stream) {
  if (g.m <= 0 || g.n <= 0 || g.k <= 0) return Status::ok_status();
  if (g.activation != Activation::kNone && g.activation != Activation::kRelu &&
      g.activation != Activation::kGelu) {
    return invalid_argument("cuBLASLt fuses only ReLU and GELU into a matmul");
  }
  const cudaDataType_t type = storage_type(precision);
  const cublasComputeType_t compute =
      precision == Precision::kTf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  cublasLtMatmulDesc_t raw_desc = nullptr;
  LT_RETURN_IF_ERROR(cublasLtMatmulDescCreate(&raw_desc, compute, CUDA_R_32F), "MatmulDescCreate");
  OpDesc desc(raw_desc);
  // Column-major view: D^T (n x m) = op(B^T) (n x k) x A^T (k x m).
  const cublasOperation_t op_b = g.b_transposed ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_a = CUBLAS_OP_N;
  LT_RETURN_IF_ERROR(
      cublasLtMatmulDescSetAttribute(desc.get(), CUBLASLT_MATMUL_DESC_TRANSA, &op_b, sizeof op_b),
      "TRANSA");
  LT_RETURN_IF_ERROR(
      cublasLtMatmulDescSetAttribute(desc.get(), CUBLASLT_MATMUL_DESC_TRANSB, &op_a, sizeof op_a),
      "TRANSB");
  cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;
  if (g.bias != nullptr) {
    epilogue = g.activation == Activation::kRelu   ? CUBLASLT_EPILOGUE_RELU_BIAS
               : g.activation == Activation::kGelu ? CUBLASLT_EPILOGUE_GELU_BIAS
                                                   : CUBLASLT_EPILOGUE_BIAS;
    const cudaDataType_t bias_type = CUDA_R_32F;
    LT_RETURN_IF_ERROR(
        cublasLtMatmulDescSetAttribute(desc.get(), CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &bias_type,
                                       sizeof bias_type),
        "BIAS_DATA_TYPE");
    LT_RETURN_IF_ERROR(cublasLtMatmulDescSetAttribute(desc.get(), CUBLASLT_MATMUL_DESC_BIAS_POINTER,
                                                      &g.bias, sizeof g.bias),
                       "BIAS_POINTER");
  } else if (g.activation == Activation::kRelu) {
    epilogue = CUBLASLT_EPILOGUE_RELU;
  } else if (g.activation == Activation::kGelu) {
    epilogue = CUBLASLT_EPILOGUE_GELU;
  }
  LT_RETURN_IF_ERROR(cublasLtMatmulDescSetAttribute(desc.get(), CUBLASLT_MATMUL_DESC_EPILOGUE,
                                                    &epilogue, sizeof epilogue),
                     "EPILOGUE");
  // Layouts in the column-major view (rows, cols, leading dimension).
  cublasLtMatrixLayout_t lb = nullptr, la = nullptr, ld = nullptr;
  const uint64_t n = static_cast<uint64_t>(g.n), m = static_cast<uint64_t>(g.m),
                 k = static_cast<uint64_t>(g.k);
  LT_RETURN_IF_ERROR(g.b_transposed ? cublasLtMatrixLayoutCreate(&lb, type, k, n, k)
                                    : cublasLtMatrixLayoutCreate(&lb, type, n, k, n),
                     "layout B");
  Layout layout_b(lb);
  LT_RETURN_IF_ERROR(cublasLtMatrixLayoutCreate(&la, type, k, m, k), "layout A");
  Layout layout_a(la);
  const cudaDataType_t d_type = g.d_f32 ? CUDA_R_32F : type;
  LT_RETURN_IF_ERROR(cublasLtMatrixLayoutCreate(&ld, d_type, n, m, n), "layout D");
  Layout layout_d(ld);

  if (g.batch > 1) {
    const int32_t count = static_cast<int32_t>(g.batch);
    for (auto [layout, stride] :
         {std::pair{layout_b.get(), g.stride_b}, std::pair{layout_a.get(), g.stride_a},
          std::pair{layout_d.get(), g.stride_d}}) {
      LT_RETURN_IF_ERROR(cublasLtMatrixLayoutSetAttribute(
                             layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof count),
                         "BATCH_COUNT");
      LT_RETURN_IF_ERROR(
          cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET,
                                           &stride, sizeof stride),
          "STRIDED_BATCH_OFFSET");
    }
  }
  const ProblemKey key{g.m,
                       g.n,
                       g.k,
                       g.batch,
                       g.stride_a,
                       g.stride_b,
                       g.stride_d,
                       static_cast<int>(precision),
                       g.b_transposed,
                       g.d_f32,
                       g.bias != nullptr,
                       static_cast<int>(g.activation)};
  auto found_algo = algos_.find(key);
  if (found_algo == algos_.end()) {
    cublasLtMatmulPreference_t raw_pref = nullptr;
    LT_RETURN_IF_ERROR(cublasLtMatmulPreferenceCreate(&raw_pref), "PreferenceCreate");
    Pref pref(raw_pref);
    LT_RETURN_IF_ERROR(
        cublasLtMatmulPreferenceSetAttribute(pref.get(), CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                             &workspace_bytes_, sizeof workspace_bytes_),
        "MAX_WORKSPACE_BYTES");
    cublasLtMatmulHeuristicResult_t heuristic{};
    int found = 0;
    LT_RETURN_IF_ERROR(cublasLtMatmulAlgoGetHeuristic(
                           handle_, desc.get(), layout_b.get(), layout_a.get(), layout_d.get(),
                           layout_d.get(), pref.get(), 1, &heuristic, &found),
                       "AlgoGetHeuristic");
    if (found == 0) {
      return unimplemented("cuBLASLt has no algorithm for this matmul (m=" + std::to_string(g.m) +
                           " n=" + std::to_string(g.n) + " k=" + std::to_string(g.k) + ", " +
                           precision_name(precision) + ")");
    }
    found_algo = algos_.emplace(key, heuristic.algo).first;
  }
  const float alpha = 1.f, beta = 0.f;
  LT_RETURN_IF_ERROR(cublasLtMatmul(handle_, desc.get(), &alpha, g.b, layout_b.get(), g.a,
                                    layout_a.get(), &beta, g.d, layout_d.get(), g.d, layout_d.get(),
                                    &found_algo->second, workspace_, workspace_bytes_, stream),
                     "cublasLtMatmul");
  return Status::ok_status();
}

}  // namespace modelhost::engine::cuda

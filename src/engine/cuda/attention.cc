// See attention.h.
#include "engine/cuda/attention.h"

#include <cmath>

#include "engine/cuda/kernels.h"

namespace modelhost::engine::cuda {

Status attention_f32(LtGemm& gemm, const AttentionArgs& a, Precision precision,
                     cudaStream_t stream) {
  if (precision == Precision::kFp16 || precision == Precision::kBf16) {
    return unimplemented("attention_f32 takes float32 operands (fp32 or tf32)");
  }
  const int64_t bh = a.batch * a.heads, s = a.seq, d = a.head_dim;
  const float scale = a.scale != 0 ? a.scale : 1.f / std::sqrt(static_cast<float>(d));
  // scores[bh] (s x s) = Q[bh] (s x d) x K[bh]^T
  GemmArgs qk;
  qk.m = s;
  qk.n = s;
  qk.k = d;
  qk.a = a.q;
  qk.b = a.k;
  qk.d = a.scores;
  qk.b_transposed = true;
  qk.batch = bh;
  qk.stride_a = s * d;
  qk.stride_b = s * d;
  qk.stride_d = s * s;
  RETURN_IF_ERROR(gemm.run(qk, precision, stream));
  RETURN_IF_ERROR(
      scaled_masked_softmax_f32(a.scores, a.mask, a.batch, a.heads, s, s, scale, stream));
  // out[bh] (s x d) = P[bh] (s x s) x V[bh] (s x d)
  GemmArgs pv;
  pv.m = s;
  pv.n = d;
  pv.k = s;
  pv.a = a.scores;
  pv.b = a.v;
  pv.d = a.out;
  pv.batch = bh;
  pv.stride_a = s * s;
  pv.stride_b = s * d;
  pv.stride_d = s * d;
  return gemm.run(pv, precision, stream);
}

}  // namespace modelhost::engine::cuda

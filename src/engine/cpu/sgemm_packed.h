// float32 GEMM against a weight packed once: C[m x n] = act(A[m x k] * B[k x n] + bias + Z).
//
// oneDNN's sgemm repacks B on every call, and its matmul primitive has no prepacked float32
// weight format on AVX2 machines, so the weights of BERT-style models (one MatMul per weight,
// re-read by every request) are repacked 72 times per inference. Here B is packed once into
// strips of 16 columns (the layout of gemm_detail::pack_b) and an AVX2/FMA micro-kernel keeps a
// 6 x 16 tile of C in registers while it streams a block of K: per K step two loads of B feed
// twelve FMAs, and A is read in place, one broadcast per row. Without AVX2 and FMA (checked once
// at run time) the portable strip kernel of gemm_core.h runs on the same packed layout.
#pragma once

#include <cstdint>

#include "engine/cpu/activation.h"
#include "engine/exec/kernel.h"
#include "engine/ir/tensor.h"

namespace modelhost::engine::cpu {

inline constexpr int64_t kPackedStrip = 16;

// A 2-D float32 weight B [K, N] packed for sgemm_packed: a float32 tensor
// [ceil(N / 16), K, 16], strip s holding columns [16s, 16s + 16) as K rows of 16 values,
// zero-padded past N. Made once at load time (opt/matmul_weight_packing).
Tensor pack_weight(const Tensor& b);

// What is applied to A x B before it is stored: a bias row [n] and a residual Z [m, n] added,
// then an activation. All optional.
struct GemmEpilogue {
  const float* bias = nullptr;
  const float* z = nullptr;
  const Activation* activation = nullptr;
};

// C [m, n] = act(A [m, k] x B + bias + Z), B packed by pack_weight, all row-major and
// contiguous; whatever C held is overwritten. Runs over the context's intra-op pool, each work
// item finishing its block of C (epilogue included) while the block is in cache. Uses the
// AVX2/FMA kernel when the CPU has both, else the portable one.
void sgemm_packed(int64_t m, int64_t n, int64_t k, const float* a, const float* packed_b, float* c,
                  const exec::KernelContext& ctx, const GemmEpilogue& epilogue = {});

// C [m, n] = A [m, k] x B on the calling thread, A's rows `lda` floats apart and C's `ldc`
// apart (strided views, such as one attention head of a [S, H, D] tensor), B packed in the
// pack_weight layout by the caller. Returns false, touching nothing, when the CPU lacks AVX2 /
// FMA (or k is 0): the caller then takes its own path.
bool sgemm_packed_strided(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                          const float* packed_b, float* c, int64_t ldc);

// For tests: run the portable kernel even on a CPU with AVX2 and FMA.
void sgemm_packed_force_portable(bool on);

}  // namespace modelhost::engine::cpu

// oneDNN entry points that need the session's thread count.
//
// Debian's oneDNN runs its parallel regions on OpenMP. OpenMP's team size is a per-thread
// setting, so each call sets it on the calling thread from the kernel context (the intra-op
// pool's workers plus the caller; 1 without a pool) right before entering oneDNN. A kernel
// called from inside the pool passes a context without a pool and so runs single-threaded.
#pragma once

#include <cstdint>
#include <functional>

#include "engine/exec/kernel.h"

namespace modelhost::engine::cpu {

struct GemmShape;

// fn(begin, end) over [0, n) split evenly across an OpenMP team of the context's size: for the
// small passes that run between oneDNN primitives (a FusedConv's activation, squeeze-and-excite
// and max pooling on blocked tensors). Handing such a pass to the intra-op pool instead wakes
// its workers, which then spin (50 us) on the cores the next primitive's OpenMP threads need:
// EfficientNet-B0 ran only 1.26x faster on 2 threads than on 1 that way (ONNX Runtime: 1.6x).
// Chunks are at least min_chunk long; n below two chunks runs on the calling thread.
void omp_parallel_for(const exec::KernelContext& ctx, int64_t n, int64_t min_chunk,
                      const std::function<void(int64_t, int64_t)>& fn);

// Threads a oneDNN call made with `ctx` may use.
inline int dnnl_threads(const exec::KernelContext& ctx) {
  return ctx.pool == nullptr ? 1 : ctx.pool->size() + 1;
}

// Sets the OpenMP team size for oneDNN calls made next on this thread.
void set_dnnl_threads(const exec::KernelContext& ctx);

// C (m x n, row stride ldc) += alpha * op(A) * op(B) with explicit leading dimensions, float32,
// through oneDNN's sgemm: for matrices that are strided views (attention heads).
void gemm_strided(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                  bool trans_a, const float* b, int64_t ldb, bool trans_b, float* c, int64_t ldc,
                  const exec::KernelContext& ctx);

// C (m x n, row-major) += alpha * op(A) * op(B), float32, through oneDNN's sgemm.
void sgemm_accumulate(const GemmShape& s, float alpha, const float* a, const float* b, float* c,
                      const exec::KernelContext& ctx);

}  // namespace modelhost::engine::cpu

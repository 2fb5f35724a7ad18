// See dnnl_threads.h.
#include "engine/cpu/dnnl_threads.h"

#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "engine/cpu/gemm_core.h"

namespace modelhost::engine::cpu {

void set_dnnl_threads(const exec::KernelContext& ctx) {
  const int n = dnnl_threads(ctx);
  // Setting the same value again is cheap, but skip the call in the common case.
  thread_local int current = -1;
  if (current != n) {
    omp_set_num_threads(n);
    current = n;
  }
}

void omp_parallel_for(const exec::KernelContext& ctx, int64_t n, int64_t min_chunk,
                      const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  const int64_t chunks = n / std::max<int64_t>(min_chunk, 1);
  const int threads = static_cast<int>(std::min<int64_t>(dnnl_threads(ctx), chunks));
  if (threads <= 1) {
    fn(0, n);
    return;
  }
  set_dnnl_threads(ctx);
#pragma omp parallel num_threads(threads)
  {
    const int64_t t = omp_get_thread_num(), team = omp_get_num_threads();
    const int64_t per = (n + team - 1) / team;
    const int64_t begin = std::min(n, t * per), end = std::min(n, begin + per);
    if (begin < end) fn(begin, end);
  }
}

void sgemm_accumulate(const GemmShape& s, float alpha, const float* a, const float* b, float* c,
                      const exec::KernelContext& ctx) {
  gemm_strided(s.m, s.n, s.k, alpha, a, s.trans_a ? s.m : s.k, s.trans_a, b, s.trans_b ? s.k : s.n,
               s.trans_b, c, s.n, ctx);
}

void gemm_strided(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                  bool trans_a, const float* b, int64_t ldb, bool trans_b, float* c, int64_t ldc,
                  const exec::KernelContext& ctx) {
  if (m == 0 || n == 0 || k == 0) return;
  set_dnnl_threads(ctx);
  const dnnl_status_t st = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, alpha, a,
                                      lda, b, ldb, 1.0f, c, ldc);
  if (st != dnnl_success) {
    // Only invalid arguments fail, and every caller validates shapes first.
    std::fprintf(stderr, "dnnl_sgemm failed with status %d\n", static_cast<int>(st));
    std::abort();
  }
}

}  // namespace modelhost::engine::cpu

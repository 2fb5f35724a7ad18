// See dnnl_threads.h.
#include "engine/cpu/dnnl_threads.h"

#include <omp.h>

#include <cstdio>
#include <cstdlib>
#include <oneapi/dnnl/dnnl.h>

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

void sgemm_accumulate(const GemmShape& s, float alpha, const float* a, const float* b, float* c,
                      const exec::KernelContext& ctx) {
  set_dnnl_threads(ctx);
  const dnnl_status_t st =
      dnnl_sgemm(s.trans_a ? 'T' : 'N', s.trans_b ? 'T' : 'N', s.m, s.n, s.k, alpha, a,
                 s.trans_a ? s.m : s.k, b, s.trans_b ? s.k : s.n, 1.0f, c, s.n);
  if (st != dnnl_success) {
    // Only invalid arguments fail, and every caller validates shapes first.
    std::fprintf(stderr, "dnnl_sgemm failed with status %d\n", static_cast<int>(st));
    std::abort();
  }
}

}  // namespace modelhost::engine::cpu

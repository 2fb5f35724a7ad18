// The packed float32 GEMM (sgemm_packed.h). The AVX2 kernel is compiled for that target by
// function attribute and taken after a run-time check of the CPU (cpu/cpu_features.h).
#include "engine/cpu/sgemm_packed.h"

#include <algorithm>
#include <atomic>

#include "engine/cpu/cpu_features.h"
#include "engine/cpu/gemm_core.h"

#if MH_X86_64
#include <immintrin.h>
#endif

namespace modelhost::engine::cpu {
namespace {

constexpr int64_t kStrip = kPackedStrip;  // two 8-float registers
constexpr int64_t kRows = 6;              // rows of C per micro-tile: 12 accumulators + 2 B + 1 A
constexpr int64_t kDepth = 256;           // K per pass: a 16 KiB block of one strip stays in L1
constexpr int64_t kRowBlock = 240;        // rows per work item: A's K block (240 KiB) stays in L2
constexpr int64_t kStripBlock = 4;        // strips (64 columns) per work item

static_assert(gemm_detail::kStrip == kStrip, "one strip layout for both GEMMs");
static_assert(kRows == 6, "micro_tile holds at most six rows");

std::atomic<bool> force_portable{false};

bool avx2_fma() { return !force_portable.load(std::memory_order_relaxed) && cpu_has_avx2_fma(); }

#if MH_X86_64

// Per K step of one micro-tile: two loads of B, one broadcast of A per row, two FMAs per row.
// The accumulators are named variables, not an array: GCC keeps an array of vectors in memory
// across the K loop. The tile is stored as C += acc, or, on the first K block, as
// C = acc + bias + Z (each optional).
template <int R>
MH_TARGET_AVX2_FMA inline void micro_tile(const float* __restrict a, int64_t lda,
                                          const float* __restrict b, int64_t kc,
                                          float* __restrict c, int64_t ldc, int64_t cols,
                                          bool first, const float* bias, const float* z) {
  __m256 l0 = _mm256_setzero_ps(), h0 = l0, l1 = l0, h1 = l0, l2 = l0, h2 = l0, l3 = l0, h3 = l0,
         l4 = l0, h4 = l0, l5 = l0, h5 = l0;
  const float* a0 = a;
  const float* a1 = a + lda;
  const float* a2 = a + 2 * lda;
  const float* a3 = a + 3 * lda;
  const float* a4 = a + 4 * lda;
  const float* a5 = a + 5 * lda;
#define MH_ROW(r)                                    \
  if constexpr (R > r) {                             \
    const __m256 av = _mm256_broadcast_ss(a##r + p); \
    l##r = _mm256_fmadd_ps(av, b0, l##r);            \
    h##r = _mm256_fmadd_ps(av, b1, h##r);            \
  }
#pragma GCC unroll 4
  for (int64_t p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_loadu_ps(b + p * kStrip);
    const __m256 b1 = _mm256_loadu_ps(b + p * kStrip + 8);
    MH_ROW(0) MH_ROW(1) MH_ROW(2) MH_ROW(3) MH_ROW(4) MH_ROW(5)
  }
#undef MH_ROW
  const __m256 lo[kRows] = {l0, l1, l2, l3, l4, l5};
  const __m256 hi[kRows] = {h0, h1, h2, h3, h4, h5};
  if (cols == kStrip) {
    const __m256 zero = _mm256_setzero_ps();
    const __m256 bias_lo = bias != nullptr ? _mm256_loadu_ps(bias) : zero;
    const __m256 bias_hi = bias != nullptr ? _mm256_loadu_ps(bias + 8) : zero;
    for (int r = 0; r < R; ++r) {
      float* row = c + r * ldc;
      __m256 base_lo, base_hi;
      if (!first) {
        base_lo = _mm256_loadu_ps(row);
        base_hi = _mm256_loadu_ps(row + 8);
      } else if (z != nullptr) {
        base_lo = _mm256_add_ps(bias_lo, _mm256_loadu_ps(z + r * ldc));
        base_hi = _mm256_add_ps(bias_hi, _mm256_loadu_ps(z + r * ldc + 8));
      } else {
        base_lo = bias_lo;
        base_hi = bias_hi;
      }
      _mm256_storeu_ps(row, _mm256_add_ps(base_lo, lo[r]));
      _mm256_storeu_ps(row + 8, _mm256_add_ps(base_hi, hi[r]));
    }
    return;
  }
  alignas(32) float tile[kStrip];
  for (int r = 0; r < R; ++r) {
    _mm256_store_ps(tile, lo[r]);
    _mm256_store_ps(tile + 8, hi[r]);
    float* row = c + r * ldc;
    for (int64_t j = 0; j < cols; ++j) {
      float base = row[j];
      if (first) base = (bias ? bias[j] : 0.f) + (z ? z[r * ldc + j] : 0.f);
      row[j] = base + tile[j];
    }
  }
}

// Rows [r0, r1) x strips [s0, s1) of C, K in blocks of kDepth; within a block each strip's
// slice is reused from L1 by every micro-tile of rows.
MH_TARGET_AVX2_FMA void compute_block(const float* a, int64_t lda, const float* packed_b, float* c,
                                      int64_t ldc, int64_t n, int64_t k, int64_t r0, int64_t r1,
                                      int64_t s0, int64_t s1, const GemmEpilogue& ep) {
  for (int64_t p0 = 0; p0 < k; p0 += kDepth) {
    const int64_t kc = std::min(kDepth, k - p0);
    const bool first = p0 == 0;
    for (int64_t s = s0; s < s1; ++s) {
      const float* strip = packed_b + s * k * kStrip + p0 * kStrip;
      const int64_t j0 = s * kStrip;
      const int64_t cols = std::min(kStrip, n - j0);
      const float* bias = ep.bias != nullptr ? ep.bias + j0 : nullptr;
      auto z_at = [&](int64_t i) { return ep.z != nullptr ? ep.z + i * ldc + j0 : nullptr; };
      // Full tiles of kRows rows, then one tile of the rows left (micro_tile<r1 - i>).
      using Tile = void (*)(const float*, int64_t, const float*, int64_t, float*, int64_t, int64_t,
                            bool, const float*, const float*);
      static constexpr Tile kTiles[kRows + 1] = {nullptr,       micro_tile<1>, micro_tile<2>,
                                                 micro_tile<3>, micro_tile<4>, micro_tile<5>,
                                                 micro_tile<6>};
      for (int64_t i = r0; i < r1; i += kRows) {
        const int64_t rows = std::min(kRows, r1 - i);
        kTiles[rows](a + i * lda + p0, lda, strip, kc, c + i * ldc + j0, ldc, cols, first, bias,
                     z_at(i));
      }
    }
  }
}

#endif  // MH_X86_64

// C[r0..r1, j0..j1) = bias + Z, or zeros: what the portable kernel accumulates onto.
void init_block(float* c, int64_t n, int64_t r0, int64_t r1, int64_t j0, int64_t j1,
                const GemmEpilogue& ep) {
  for (int64_t i = r0; i < r1; ++i) {
    float* row = c + i * n;
    const float* zr = ep.z != nullptr ? ep.z + i * n : nullptr;
    for (int64_t j = j0; j < j1; ++j) {
      row[j] = (ep.bias ? ep.bias[j] : 0.f) + (zr ? zr[j] : 0.f);
    }
  }
}

}  // namespace

void sgemm_packed_force_portable(bool on) { force_portable.store(on); }

bool sgemm_packed_strided(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                          const float* packed_b, float* c, int64_t ldc) {
#if MH_X86_64
  if (!avx2_fma() || k == 0) return false;
  if (m > 0 && n > 0) {
    compute_block(a, lda, packed_b, c, ldc, n, k, 0, m, 0, (n + kStrip - 1) / kStrip,
                  GemmEpilogue{});
  }
  return true;
#else
  return false;
#endif
}

Tensor pack_weight(const Tensor& b) {
  const int64_t k = b.shape()[0], n = b.shape()[1];
  Tensor packed = Tensor::allocate(DataType::kFloat32, {(n + kStrip - 1) / kStrip, k, kStrip});
  gemm_detail::pack_b_into(b.data<float>(), k, n, /*trans_b=*/false, packed.mutable_data<float>(),
                           exec::KernelContext{});
  return packed;
}

void sgemm_packed(int64_t m, int64_t n, int64_t k, const float* a, const float* packed_b, float* c,
                  const exec::KernelContext& ctx, const GemmEpilogue& ep) {
  if (m == 0 || n == 0) return;
  const int64_t strips = (n + kStrip - 1) / kStrip;
  const int64_t strip_blocks = (strips + kStripBlock - 1) / kStripBlock;
  // Row blocks of equal size (whole micro-tiles), so that no thread ends with a short one.
  const int64_t row_blocks = (m + kRowBlock - 1) / kRowBlock;
  const int64_t rows_per_block = ((m + row_blocks - 1) / row_blocks + kRows - 1) / kRows * kRows;
  const int64_t items = row_blocks * strip_blocks;
  [[maybe_unused]] const bool avx2 = avx2_fma() && k > 0;
  // Work items run row block by row block, so a thread's consecutive items share A's block.
  // Each item finishes its part of C, activation included, while that part is in cache.
  auto run = [&](int64_t w0, int64_t w1) {
    for (int64_t w = w0; w < w1; ++w) {
      const int64_t rb = w / strip_blocks, sb = w % strip_blocks;
      const int64_t r0 = rb * rows_per_block, r1 = std::min(m, r0 + rows_per_block);
      const int64_t j0 = sb * kStripBlock * kStrip, j1 = std::min(n, j0 + kStripBlock * kStrip);
      bool done = false;
#if MH_X86_64
      if (avx2) {
        compute_block(a, k, packed_b, c, n, n, k, r0, r1, sb * kStripBlock,
                      std::min(strips, (sb + 1) * kStripBlock), ep);
        done = true;
      }
#endif
      if (!done) {
        init_block(c, n, r0, r1, j0, j1, ep);
        gemm_detail::tile(a, packed_b, c, n, k, 1.f, r0, r1, j0, j1);
      }
      if (ep.activation != nullptr) {
        for (int64_t i = r0; i < r1; ++i) ep.activation->apply(c + i * n + j0, j1 - j0);
      }
    }
  };
  // Below a few MFLOP waking the pool costs more than it saves.
  constexpr double kParallelFlops = 4e6;
  if (2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) <
      kParallelFlops) {
    run(0, items);
  } else {
    exec::parallel_for(ctx, items, 1, run);
  }
}

}  // namespace modelhost::engine::cpu

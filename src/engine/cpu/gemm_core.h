// The matrix-multiply core shared by Gemm and MatMul: C += alpha * op(A) * op(B) on row-major
// buffers. float32 goes to oneDNN's sgemm, whose JIT kernels use the instruction set of the CPU
// it runs on (several times faster than portable C++ built for baseline x86-64). Other dtypes
// (int64, float64) use the portable kernel below: B is packed into contiguous strips of 16
// columns, and a register-blocked micro-kernel (up to 4 rows x 16 columns of C held in registers
// across a block of K) runs over them. Tiles of C are spread over the intra-op pool.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "engine/cpu/dnnl_threads.h"
#include "engine/exec/kernel.h"

namespace modelhost::engine::cpu {

struct GemmShape {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false;  // A is stored K x M
  bool trans_b = false;  // B is stored N x K
};

namespace gemm_detail {

inline constexpr int64_t kStrip = 16;        // columns per packed strip of B
inline constexpr int64_t kRowBlock = 32;     // rows of C per parallel tile
inline constexpr int64_t kColBlock = 256;    // columns of C per parallel tile (whole strips)
inline constexpr int64_t kDepthBlock = 256;  // K per pass, so a strip block stays in L1/L2

template <typename T>
std::vector<T> transpose(const T* src, int64_t rows, int64_t cols) {
  std::vector<T> dst(static_cast<size_t>(rows * cols));
  constexpr int64_t kTile = 32;
  for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      for (int64_t r = r0; r < std::min(rows, r0 + kTile); ++r) {
        for (int64_t c = c0; c < std::min(cols, c0 + kTile); ++c) {
          dst[c * rows + r] = src[r * cols + c];
        }
      }
    }
  }
  return dst;
}

// B (K x N, or N x K when trans_b) -> strips at `dst_all` (strips * K * kStrip values, zeroed by
// the caller): strip s holds columns [16s, 16s+16) as K rows of 16 contiguous values, the
// padding past N left zero.
template <typename T>
void pack_b_into(const T* b, int64_t k, int64_t n, bool trans_b, T* dst_all,
                 const exec::KernelContext& ctx) {
  const int64_t strips = (n + kStrip - 1) / kStrip;
  exec::parallel_for(ctx, strips, 4, [&](int64_t s0, int64_t s1) {
    for (int64_t s = s0; s < s1; ++s) {
      T* dst = dst_all + s * k * kStrip;
      const int64_t j0 = s * kStrip;
      const int64_t w = std::min(kStrip, n - j0);
      if (trans_b) {  // read B's rows (contiguous along K) once each
        for (int64_t j = 0; j < w; ++j) {
          const T* src = b + (j0 + j) * k;
          for (int64_t p = 0; p < k; ++p) dst[p * kStrip + j] = src[p];
        }
      } else {
        for (int64_t p = 0; p < k; ++p) {
          for (int64_t j = 0; j < w; ++j) dst[p * kStrip + j] = b[p * n + j0 + j];
        }
      }
    }
  });
}

template <typename T>
std::vector<T> pack_b(const T* b, int64_t k, int64_t n, bool trans_b,
                      const exec::KernelContext& ctx) {
  std::vector<T> packed(static_cast<size_t>((n + kStrip - 1) / kStrip * k * kStrip), T(0));
  pack_b_into(b, k, n, trans_b, packed.data(), ctx);
  return packed;
}

// C[R rows, w <= 16 cols] += alpha * A[R rows, p0..p1) * strip[p0..p1), accumulated in
// registers: each loaded row of the strip feeds R rows, and C is touched once per K block.
template <typename T, int R>
inline void micro(const T* __restrict a, int64_t k, const T* __restrict strip, T* __restrict c,
                  int64_t n, int64_t p0, int64_t p1, T alpha, int64_t w) {
  T acc[R][kStrip] = {};
  for (int64_t p = p0; p < p1; ++p) {
    const T* __restrict br = strip + p * kStrip;
    if constexpr (R == 4) {
      // Spelled out: the general form below is slower with GCC 12 at the full row count.
      const T a0 = a[p], a1 = a[k + p], a2 = a[2 * k + p], a3 = a[3 * k + p];
#pragma omp simd
      for (int64_t j = 0; j < kStrip; ++j) {
        acc[0][j] += a0 * br[j];
        acc[1][j] += a1 * br[j];
        acc[2][j] += a2 * br[j];
        acc[3][j] += a3 * br[j];
      }
    } else {
      for (int r = 0; r < R; ++r) {
        const T av = a[r * k + p];
#pragma omp simd
        for (int64_t j = 0; j < kStrip; ++j) acc[r][j] += av * br[j];
      }
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int64_t j = 0; j < w; ++j) c[r * n + j] += alpha * acc[r][j];
  }
}

// C[i0..i1, j0..j1) += alpha * A[i0..i1, :] * B[:, j0..j1); j0 is a multiple of kStrip.
template <typename T>
void tile(const T* a, const T* packed_b, T* c, int64_t n, int64_t k, T alpha, int64_t i0,
          int64_t i1, int64_t j0, int64_t j1) {
  for (int64_t p0 = 0; p0 < k; p0 += kDepthBlock) {
    const int64_t p1 = std::min(k, p0 + kDepthBlock);
    for (int64_t j = j0; j < j1; j += kStrip) {
      const T* strip = packed_b + (j / kStrip) * k * kStrip;
      const int64_t w = std::min(kStrip, j1 - j);
      int64_t i = i0;
      for (; i + 4 <= i1; i += 4)
        micro<T, 4>(a + i * k, k, strip, c + i * n + j, n, p0, p1, alpha, w);
      switch (i1 - i) {
        case 3:
          micro<T, 3>(a + i * k, k, strip, c + i * n + j, n, p0, p1, alpha, w);
          break;
        case 2:
          micro<T, 2>(a + i * k, k, strip, c + i * n + j, n, p0, p1, alpha, w);
          break;
        case 1:
          micro<T, 1>(a + i * k, k, strip, c + i * n + j, n, p0, p1, alpha, w);
          break;
        default:
          break;
      }
    }
  }
}

}  // namespace gemm_detail

// C (m x n, row-major, already holding beta * C or zeros) += alpha * op(A) * op(B).
template <typename T>
void gemm_accumulate(const GemmShape& s, T alpha, const T* a, const T* b, T* c,
                     const exec::KernelContext& ctx) {
  if (s.m == 0 || s.n == 0 || s.k == 0) return;
  if constexpr (std::is_same_v<T, float>) {
    sgemm_accumulate(s, alpha, a, b, c, ctx);
    return;
  }
  std::vector<T> a_packed;
  if (s.trans_a) {
    a_packed = gemm_detail::transpose(a, s.k, s.m);
    a = a_packed.data();
  }
  if (s.m <= 4) {
    // A few rows (a batch-1 fully connected layer) make this memory-bound: read B once, in
    // storage order, without packing it.
    if (s.trans_b) {
      exec::parallel_for(ctx, s.n, 64, [&](int64_t j0, int64_t j1) {
        for (int64_t i = 0; i < s.m; ++i) {
          const T* ar = a + i * s.k;
          for (int64_t j = j0; j < j1; ++j) {
            const T* br = b + j * s.k;
            T sum = 0;
#pragma omp simd reduction(+ : sum)
            for (int64_t p = 0; p < s.k; ++p) sum += ar[p] * br[p];
            c[i * s.n + j] += alpha * sum;
          }
        }
      });
    } else {
      exec::parallel_for(ctx, s.n, 1024, [&](int64_t j0, int64_t j1) {
        for (int64_t i = 0; i < s.m; ++i) {
          T* __restrict cr = c + i * s.n;
          for (int64_t p = 0; p < s.k; ++p) {
            const T av = alpha * a[i * s.k + p];
            const T* __restrict br = b + p * s.n;
#pragma omp simd
            for (int64_t j = j0; j < j1; ++j) cr[j] += av * br[j];
          }
        }
      });
    }
    return;
  }
  const std::vector<T> packed = gemm_detail::pack_b(b, s.k, s.n, s.trans_b, ctx);
  const int64_t row_tiles = (s.m + gemm_detail::kRowBlock - 1) / gemm_detail::kRowBlock;
  const int64_t col_tiles = (s.n + gemm_detail::kColBlock - 1) / gemm_detail::kColBlock;
  // Parallel over tiles of C only when the work is large enough to pay for the hand-off.
  const double flops =
      static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
  const int64_t min_tiles = flops < (1 << 18) ? row_tiles * col_tiles : 1;
  exec::parallel_for(ctx, row_tiles * col_tiles, min_tiles, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t i0 = (t / col_tiles) * gemm_detail::kRowBlock;
      const int64_t j0 = (t % col_tiles) * gemm_detail::kColBlock;
      gemm_detail::tile(a, packed.data(), c, s.n, s.k, alpha, i0,
                        std::min(s.m, i0 + gemm_detail::kRowBlock), j0,
                        std::min(s.n, j0 + gemm_detail::kColBlock));
    }
  });
}

}  // namespace modelhost::engine::cpu

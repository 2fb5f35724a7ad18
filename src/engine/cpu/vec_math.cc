#include "engine/cpu/vec_math.h"

#include <cmath>

#include "engine/cpu/cpu_features.h"

#if MH_X86_64
#include <immintrin.h>
#endif

namespace modelhost::engine::cpu {
namespace {

// exp over [-87, 88]: n = round(x / ln 2), r = x - n ln 2 (ln 2 split in two for precision),
// exp(r) by Cephes' degree-6 polynomial, times 2^n through the exponent bits.
constexpr float kExpMin = -87.0f, kExpMax = 88.0f;
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
constexpr float kExpP[] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                           4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
// erfc(z) = t exp(-z^2 + P(t)), t = 1 / (1 + z / 2), for z >= 0.
constexpr float kErfcP[] = {0.17087277f,  -0.82215223f, 1.48851587f, -1.13520398f, 0.27886807f,
                            -0.18628806f, 0.09678418f,  0.37409196f, 1.00002368f,  -1.26551223f};

float exp_scalar(float x) {
  if (std::isnan(x)) return x;
  x = std::fmin(std::fmax(x, kExpMin), kExpMax);
  const float n = std::nearbyint(x * kLog2e);
  const float r = std::fma(-n, kLn2Lo, std::fma(-n, kLn2Hi, x));
  float p = kExpP[0];
  for (int i = 1; i < 6; ++i) p = std::fma(p, r, kExpP[i]);
  const float e = std::fma(p, r * r, r) + 1.f;
  return std::ldexp(e, static_cast<int>(n));
}

float erf_scalar(float x) {
  const float z = std::fabs(x);
  const float t = 1.f / std::fma(0.5f, z, 1.f);
  float p = kErfcP[0];
  for (int i = 1; i < 10; ++i) p = std::fma(p, t, kErfcP[i]);
  const float erfc = t * exp_scalar(std::fma(-z, z, p));
  return std::copysign(1.f - erfc, x);
}

#if MH_X86_64

MH_TARGET_AVX2_FMA inline __m256 exp8(__m256 x) {
  // The constant first: MINPS / MAXPS return their second operand when one is NaN, so NaN stays.
  x = _mm256_min_ps(_mm256_set1_ps(kExpMax), _mm256_max_ps(_mm256_set1_ps(kExpMin), x));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(kLog2e)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Hi), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Lo), r);
  __m256 p = _mm256_set1_ps(kExpP[0]);
  for (int i = 1; i < 6; ++i) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP[i]));
  const __m256 e = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.f));
  // 2^n: n + 127 in the exponent field (n is in [-126, 127] after the clamp).
  const __m256i bits =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(e, _mm256_castsi256_ps(bits));
}

MH_TARGET_AVX2_FMA inline __m256 erf8(__m256 x) {
  const __m256 sign_mask = _mm256_set1_ps(-0.f);
  const __m256 z = _mm256_andnot_ps(sign_mask, x);
  const __m256 t = _mm256_div_ps(_mm256_set1_ps(1.f),
                                 _mm256_fmadd_ps(_mm256_set1_ps(0.5f), z, _mm256_set1_ps(1.f)));
  __m256 p = _mm256_set1_ps(kErfcP[0]);
  for (int i = 1; i < 10; ++i) p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(kErfcP[i]));
  const __m256 erfc = _mm256_mul_ps(t, exp8(_mm256_fnmadd_ps(z, z, p)));
  const __m256 e = _mm256_sub_ps(_mm256_set1_ps(1.f), erfc);
  return _mm256_or_ps(e, _mm256_and_ps(x, sign_mask));
}

MH_TARGET_AVX2_FMA int64_t gelu_avx2(float* y, int64_t n) {
  int64_t i = 0;
  const __m256 half = _mm256_set1_ps(0.5f), rsqrt2 = _mm256_set1_ps(0.70710678118654752440f);
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(y + i);
    const __m256 e = erf8(_mm256_mul_ps(v, rsqrt2));
    _mm256_storeu_ps(y + i,
                     _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(_mm256_set1_ps(1.f), e)));
  }
  return i;
}

MH_TARGET_AVX2_FMA int64_t exp_shifted_avx2(float* y, int64_t n, float shift, float& total) {
  int64_t i = 0;
  const __m256 s = _mm256_set1_ps(shift);
  __m256 acc = _mm256_setzero_ps();
  for (; i + 8 <= n; i += 8) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(y + i), s));
    _mm256_storeu_ps(y + i, e);
    acc = _mm256_add_ps(acc, e);
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, acc);
  total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
          ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
  return i;
}

// sigmoid(x) = 1 / (1 + exp(-x)); swish(x) = x * sigmoid(x). exp's clamp keeps the quotient
// finite: below -87 the result is about 1e-38 times x instead of a denormal.
MH_TARGET_AVX2_FMA inline __m256 sigmoid8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

MH_TARGET_AVX2_FMA int64_t sigmoid_avx2(float* y, int64_t n, bool times_x) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(y + i);
    const __m256 s = sigmoid8(v);
    _mm256_storeu_ps(y + i, times_x ? _mm256_mul_ps(v, s) : s);
  }
  return i;
}

#endif

float sigmoid_scalar(float x) { return 1.f / (1.f + exp_scalar(-x)); }

}  // namespace

void sigmoid_inplace(float* y, int64_t n) {
  int64_t i = 0;
#if MH_X86_64
  if (cpu_has_avx2_fma()) i = sigmoid_avx2(y, n, /*times_x=*/false);
#endif
  for (; i < n; ++i) y[i] = sigmoid_scalar(y[i]);
}

void swish_inplace(float* y, int64_t n) {
  int64_t i = 0;
#if MH_X86_64
  if (cpu_has_avx2_fma()) i = sigmoid_avx2(y, n, /*times_x=*/true);
#endif
  for (; i < n; ++i) y[i] = y[i] * sigmoid_scalar(y[i]);
}

float exp_shifted_inplace(float* y, int64_t n, float shift) {
  int64_t i = 0;
  float total = 0.f;
#if MH_X86_64
  if (cpu_has_avx2_fma()) i = exp_shifted_avx2(y, n, shift, total);
#endif
  for (; i < n; ++i) {
    y[i] = exp_scalar(y[i] - shift);
    total += y[i];
  }
  return total;
}

void gelu_inplace(float* y, int64_t n) {
  int64_t i = 0;
#if MH_X86_64
  if (cpu_has_avx2_fma()) i = gelu_avx2(y, n);
#endif
  for (; i < n; ++i) y[i] = 0.5f * y[i] * (1.f + erf_scalar(y[i] * 0.70710678118654752440f));
}

}  // namespace modelhost::engine::cpu

// Vectorized transcendental functions for the hot activations and the attention softmax.
// (oneDNN's eltwise post-ops for these run several times slower than a convolution itself on
// AVX2 machines, so FusedConv applies them from here after the primitive.)
//
// GELU's erf is the costliest part of a BERT feed-forward block after its GEMMs when computed
// with libm's scalar erff. Here erf comes from the erfc approximation of Numerical Recipes
// (Chebyshev fit, fractional error below 1.2e-7 everywhere) over an exp with Cephes' polynomial;
// (absolute error below 3e-7, so GELU's relative error stays below 2e-7); both run eight floats
// at a time with AVX2 and FMA (checked at run time) and the same formula
// runs in scalar code for the tail and on other CPUs, so a value's result never depends on its
// position.
#pragma once

#include <cstdint>

namespace modelhost::engine::cpu {

// y[i] = 0.5 * y[i] * (1 + erf(y[i] / sqrt(2))), in place.
void gelu_inplace(float* y, int64_t n);

// y[i] = 1 / (1 + exp(-y[i])), in place; relative error below 3e-7.
void sigmoid_inplace(float* y, int64_t n);

// y[i] = y[i] / (1 + exp(-y[i])) (Swish / SiLU: x * sigmoid(x)), in place.
void swish_inplace(float* y, int64_t n);

// y[i] = exp(y[i] - shift), in place (the exponentials of a softmax row, shift its maximum);
// returns the sum of the results. Relative error below 2e-7; NaN stays NaN; arguments below -87
// give exp(-87) (about 1.6e-38) rather than a denormal or 0.
float exp_shifted_inplace(float* y, int64_t n, float shift);

}  // namespace modelhost::engine::cpu

// Comparing an engine output with an ONNX reference tensor, the way the onnx backend tests do.
#pragma once

#include <string>

#include "engine/ir/tensor.h"

namespace modelhost::engine::conformance {

// numpy.testing.assert_allclose defaults of the onnx backend tests.
inline constexpr double kRtol = 1e-3;
inline constexpr double kAtol = 1e-7;

// An empty string when `got` matches `expected`, else what differs first: "dtype: ...",
// "shape: ..." or "element [i,j] (flat n): expected x, got y". Floating types (float16 and
// bfloat16 converted to float) must satisfy |got - expected| <= kAtol + kRtol * |expected|, with
// NaN equal to NaN and infinities exact; integers and bools must be equal.
std::string compare_tensors(const Tensor& expected, const Tensor& got);

}  // namespace modelhost::engine::conformance

// The interpolation behind Resize (opset 10..24) and Upsample (opset 7..9).
//
// Each resized axis gets a table, computed once per run from the output size and scale: for every
// output index, K input indices (clamped to the axis, the "edge padding" of the ONNX reference)
// and K weights, or an "outside" mark that writes extrapolation_value (tf_crop_and_resize).
// Nearest is then one gather over every axis at once (any dtype, moved as bytes); linear and cubic
// (antialiased or not) run one separable pass per non-identity axis, innermost axis first like
// the ONNX reference, in float (double for float64), parallel over the rows of each pass.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/exec/kernel.h"
#include "engine/ir/tensor.h"

namespace modelhost::engine::cpu {

enum class ResizeMode { kNearest, kLinear, kCubic };

enum class ResizeCoordinateMode {
  kHalfPixel,
  kHalfPixelSymmetric,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNn,
  kTfCropAndResize,
};

// kSimple is the rounding of Upsample and Resize-10: floor when upsampling, ceil when
// downsampling.
enum class ResizeNearestMode { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil, kSimple };

enum class ResizeAspectPolicy { kStretch, kNotLarger, kNotSmaller };

struct ResizeConfig {
  ResizeMode mode = ResizeMode::kNearest;
  ResizeCoordinateMode coordinate_mode = ResizeCoordinateMode::kHalfPixel;
  ResizeNearestMode nearest_mode = ResizeNearestMode::kRoundPreferFloor;
  ResizeAspectPolicy aspect_policy = ResizeAspectPolicy::kStretch;
  double cubic_coeff_a = -0.75;
  bool exclude_outside = false;
  double extrapolation_value = 0.0;
  bool antialias = false;
  // Axes that `scales` / `sizes` / `roi` refer to; empty means every axis in order.
  std::vector<int64_t> axes;
};

// What a run resizes: per-axis scales or sizes (one of them non-empty, one value per entry of
// config.axes or per axis of X) and the roi (start values then end values, may be empty).
struct ResizeRequest {
  std::vector<double> scales;
  std::vector<int64_t> sizes;
  std::vector<double> roi;
};

Result<ResizeMode> parse_resize_mode(const std::string& s);
Result<ResizeCoordinateMode> parse_resize_coordinate_mode(const std::string& s, int64_t opset);
Result<ResizeNearestMode> parse_resize_nearest_mode(const std::string& s);
Result<ResizeAspectPolicy> parse_resize_aspect_policy(const std::string& s);

// Resizes `x` into a new tensor. Supports float32/64, float16, bfloat16 and the integer types
// (interpolated in float, rounded half to even and saturated); nearest serves every dtype.
Result<Tensor> resize_tensor(const exec::KernelContext& ctx, const ResizeConfig& config,
                             const Tensor& x, const ResizeRequest& request);

}  // namespace modelhost::engine::cpu

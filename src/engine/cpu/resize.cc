// Resize (opset 10..24): nearest / linear / cubic interpolation of any subset of axes, sized by
// `scales` or `sizes` (with `axes` and keep_aspect_ratio_policy from opset 18), every
// coordinate_transformation_mode, antialiased linear/cubic when downsampling. Resize-10 is
// Upsample's successor: asymmetric coordinates and floor/ceil nearest rounding. The
// interpolation itself is shared with Upsample (resize_util.h).
#include "engine/cpu/resize_util.h"
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

// Float values of a float16/32/64 tensor (scales, roi).
Result<std::vector<double>> read_float_values(const Tensor& t, size_t input_index,
                                              std::string_view what) {
  std::vector<double> v(static_cast<size_t>(t.num_elements()));
  switch (t.dtype()) {
    case DataType::kFloat32:
      for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<float>()[i];
      break;
    case DataType::kFloat64:
      for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<double>()[i];
      break;
    case DataType::kFloat16:
      for (size_t i = 0; i < v.size(); ++i) v[i] = half_to_float(t.data<uint16_t>()[i]);
      break;
    default:
      return invalid_argument("input " + std::to_string(input_index) + " (" + std::string(what) +
                              ") must be float, got " + std::string(dtype_name(t.dtype())));
  }
  return v;
}

// Resize-10: X, scales. Resize-11+: X, roi, scales, sizes.
class ResizeKernel final : public exec::Kernel {
 public:
  ResizeKernel(ResizeConfig config, bool legacy) : config_(std::move(config)), legacy_(legacy) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    ResizeRequest req;
    if (legacy_) {
      ASSIGN_OR_RETURN(req.scales, read_float_values(*inputs[1], 1, "scales"));
    } else {
      if (inputs.size() > 1 && inputs[1] != nullptr &&
          config_.coordinate_mode == ResizeCoordinateMode::kTfCropAndResize) {
        ASSIGN_OR_RETURN(req.roi, read_float_values(*inputs[1], 1, "roi"));
      }
      if (inputs.size() > 2 && inputs[2] != nullptr && inputs[2]->num_elements() > 0) {
        ASSIGN_OR_RETURN(req.scales, read_float_values(*inputs[2], 2, "scales"));
      }
      if (inputs.size() > 3 && inputs[3] != nullptr && inputs[3]->num_elements() > 0) {
        if (!req.scales.empty()) {
          return invalid_argument("Resize takes scales or sizes, not both");
        }
        ASSIGN_OR_RETURN(req.sizes, read_int_tensor(*inputs[3], 3, "Resize"));
      }
    }
    ASSIGN_OR_RETURN(outputs[0], resize_tensor(ctx, config_, x, req));
    return Status::ok_status();
  }

 private:
  ResizeConfig config_;
  bool legacy_;
};

Result<std::unique_ptr<exec::Kernel>> make_resize(const ir::Node& node) {
  const int64_t opset = node.opset;
  ResizeConfig c;
  ASSIGN_OR_RETURN(std::string mode, node.attributes.get_string("mode", "nearest"));
  ASSIGN_OR_RETURN(c.mode, parse_resize_mode(mode));
  if (opset <= 10) {
    RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
    RETURN_IF_ERROR(exec::check_attributes(node, {"mode"}));
    if (c.mode == ResizeMode::kCubic) {
      return invalid_argument("mode \"cubic\" needs Resize opset 11 or later");
    }
    c.coordinate_mode = ResizeCoordinateMode::kAsymmetric;
    c.nearest_mode = ResizeNearestMode::kSimple;
    return exec::make_kernel<ResizeKernel>(std::move(c), true);
  }
  RETURN_IF_ERROR(exec::check_arity(node, opset >= 13 ? 1 : 3, 4));
  if (opset >= 18) {
    RETURN_IF_ERROR(exec::check_attributes(
        node,
        {"mode", "coordinate_transformation_mode", "cubic_coeff_a", "exclude_outside",
         "extrapolation_value", "nearest_mode", "antialias", "axes", "keep_aspect_ratio_policy"}));
  } else {
    RETURN_IF_ERROR(
        exec::check_attributes(node, {"mode", "coordinate_transformation_mode", "cubic_coeff_a",
                                      "exclude_outside", "extrapolation_value", "nearest_mode"}));
  }
  ASSIGN_OR_RETURN(std::string coord,
                   node.attributes.get_string("coordinate_transformation_mode", "half_pixel"));
  ASSIGN_OR_RETURN(c.coordinate_mode, parse_resize_coordinate_mode(coord, opset));
  ASSIGN_OR_RETURN(std::string nearest,
                   node.attributes.get_string("nearest_mode", "round_prefer_floor"));
  ASSIGN_OR_RETURN(c.nearest_mode, parse_resize_nearest_mode(nearest));
  ASSIGN_OR_RETURN(float a, node.attributes.get_float("cubic_coeff_a", -0.75f));
  c.cubic_coeff_a = a;
  ASSIGN_OR_RETURN(int64_t exclude, node.attributes.get_int("exclude_outside", 0));
  c.exclude_outside = exclude != 0;
  ASSIGN_OR_RETURN(float extrapolation, node.attributes.get_float("extrapolation_value", 0.0f));
  c.extrapolation_value = extrapolation;
  ASSIGN_OR_RETURN(int64_t antialias, node.attributes.get_int("antialias", 0));
  c.antialias = antialias != 0 && c.mode != ResizeMode::kNearest;
  ASSIGN_OR_RETURN(c.axes, node.attributes.get_ints("axes", {}));
  ASSIGN_OR_RETURN(std::string policy,
                   node.attributes.get_string("keep_aspect_ratio_policy", "stretch"));
  ASSIGN_OR_RETURN(c.aspect_policy, parse_resize_aspect_policy(policy));
  return exec::make_kernel<ResizeKernel>(std::move(c), false);
}

MH_REGISTER_CPU_KERNEL(Resize, 10, exec::kMaxOpset, make_resize);

}  // namespace
}  // namespace modelhost::engine::cpu

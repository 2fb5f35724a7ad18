// Upsample (opset 7..9, deprecated by Resize-10): nearest or linear, asymmetric coordinates,
// nearest rounding down. Scales come from the `scales` attribute (7, 8) or input 1 (9). The
// interpolation is Resize's (resize_util.h).
#include "engine/cpu/resize_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class UpsampleKernel final : public exec::Kernel {
 public:
  UpsampleKernel(ResizeConfig config, std::vector<double> attr_scales)
      : config_(std::move(config)), attr_scales_(std::move(attr_scales)) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    ResizeRequest req;
    if (inputs.size() > 1) {
      const Tensor& s = *inputs[1];
      RETURN_IF_ERROR(exec::check_dtype(s, 1, "Upsample", {DataType::kFloat32}));
      for (int64_t i = 0; i < s.num_elements(); ++i) req.scales.push_back(s.data<float>()[i]);
    } else {
      req.scales = attr_scales_;
    }
    for (double v : req.scales) {
      if (v < 1.0) {
        return invalid_argument("Upsample scales must be >= 1, got " + std::to_string(v));
      }
    }
    ASSIGN_OR_RETURN(outputs[0], resize_tensor(ctx, config_, *inputs[0], req));
    return Status::ok_status();
  }

 private:
  ResizeConfig config_;
  std::vector<double> attr_scales_;
};

Result<std::unique_ptr<exec::Kernel>> make_upsample(const ir::Node& node) {
  const bool scales_input = node.opset >= 9;
  RETURN_IF_ERROR(exec::check_arity(node, scales_input ? 2 : 1, scales_input ? 2 : 1));
  if (scales_input) {
    RETURN_IF_ERROR(exec::check_attributes(node, {"mode"}));
  } else {
    RETURN_IF_ERROR(exec::check_attributes(node, {"mode", "scales"}));
  }
  ResizeConfig c;
  ASSIGN_OR_RETURN(std::string mode, node.attributes.get_string("mode", "nearest"));
  ASSIGN_OR_RETURN(c.mode, parse_resize_mode(mode));
  if (c.mode == ResizeMode::kCubic) {
    return invalid_argument("Upsample mode must be nearest or linear, got \"" + mode + "\"");
  }
  c.coordinate_mode = ResizeCoordinateMode::kAsymmetric;
  c.nearest_mode = ResizeNearestMode::kSimple;
  std::vector<double> scales;
  if (!scales_input) {
    if (!node.attributes.has("scales")) {
      return invalid_argument("Upsample needs the scales attribute before opset 9");
    }
    ASSIGN_OR_RETURN(std::vector<float> s, node.attributes.get_floats("scales", {}));
    scales.assign(s.begin(), s.end());
  }
  return exec::make_kernel<UpsampleKernel>(std::move(c), std::move(scales));
}

MH_REGISTER_CPU_KERNEL(Upsample, 7, 9, make_upsample);

}  // namespace
}  // namespace modelhost::engine::cpu

// RoiAlign (opset 10+): for each region of interest (rois [R, 4] as x1, y1, x2, y2 scaled by
// spatial_scale, image batch_indices [R]) an [output_height, output_width] grid of bins over
// X [N, C, H, W], each the average (mode "avg") or maximum ("max") of sampling_ratio^2 bilinear
// samples (adaptive, ceil(bin size), when sampling_ratio is 0). coordinate_transformation_mode
// (opset 16+) "half_pixel" (the default there) shifts coordinates by -0.5; "output_half_pixel"
// (the only behavior of opset 10) does not and forces rois to at least 1x1. Max mode takes the
// maximum of the weighted corner values, as the ONNX reference and ONNX Runtime do.
// float32 and float64.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct RoiAlignConfig {
  bool max_mode = false;
  bool half_pixel = false;
  int64_t out_h = 1, out_w = 1, sampling_ratio = 0;
  float spatial_scale = 1.0f;
};

struct Sample {
  int64_t pos[4] = {0, 0, 0, 0};
  double w[4] = {0, 0, 0, 0};
};

template <typename T>
void roi_align(const T* x, const T* rois, const std::vector<int64_t>& batch, T* y, int64_t c_count,
               int64_t height, int64_t width, const RoiAlignConfig& cfg,
               const exec::KernelContext& ctx) {
  const int64_t num_rois = static_cast<int64_t>(batch.size());
  exec::parallel_for(ctx, num_rois, 1, [&](int64_t r0, int64_t r1) {
    std::vector<Sample> samples;
    for (int64_t r = r0; r < r1; ++r) {
      const double offset = cfg.half_pixel ? 0.5 : 0.0;
      const double scale = cfg.spatial_scale;
      const double start_w = static_cast<double>(rois[r * 4 + 0]) * scale - offset;
      const double start_h = static_cast<double>(rois[r * 4 + 1]) * scale - offset;
      double roi_w = static_cast<double>(rois[r * 4 + 2]) * scale - offset - start_w;
      double roi_h = static_cast<double>(rois[r * 4 + 3]) * scale - offset - start_h;
      if (!cfg.half_pixel) {
        roi_w = std::max(roi_w, 1.0);
        roi_h = std::max(roi_h, 1.0);
      }
      const double bin_h = roi_h / static_cast<double>(cfg.out_h);
      const double bin_w = roi_w / static_cast<double>(cfg.out_w);
      // Malformed (negative) rois sample nothing.
      const int64_t grid_h = cfg.sampling_ratio > 0
                                 ? cfg.sampling_ratio
                                 : std::max<int64_t>(0, static_cast<int64_t>(std::ceil(bin_h)));
      const int64_t grid_w = cfg.sampling_ratio > 0
                                 ? cfg.sampling_ratio
                                 : std::max<int64_t>(0, static_cast<int64_t>(std::ceil(bin_w)));
      const int64_t count = std::max<int64_t>(grid_h * grid_w, 1);
      // Bilinear corners and weights, shared by every channel.
      samples.assign(static_cast<size_t>(cfg.out_h * cfg.out_w * grid_h * grid_w), Sample{});
      size_t si = 0;
      for (int64_t ph = 0; ph < cfg.out_h; ++ph) {
        for (int64_t pw = 0; pw < cfg.out_w; ++pw) {
          for (int64_t iy = 0; iy < grid_h; ++iy) {
            const double yy = start_h + static_cast<double>(ph) * bin_h +
                              (static_cast<double>(iy) + 0.5) * bin_h / static_cast<double>(grid_h);
            for (int64_t ix = 0; ix < grid_w; ++ix, ++si) {
              double xx = start_w + static_cast<double>(pw) * bin_w +
                          (static_cast<double>(ix) + 0.5) * bin_w / static_cast<double>(grid_w);
              double yv = yy;
              if (yv < -1.0 || yv > static_cast<double>(height) || xx < -1.0 ||
                  xx > static_cast<double>(width)) {
                continue;  // outside the feature map: all weights 0
              }
              yv = std::max(yv, 0.0);
              xx = std::max(xx, 0.0);
              int64_t y_low = static_cast<int64_t>(yv), x_low = static_cast<int64_t>(xx);
              int64_t y_high, x_high;
              if (y_low >= height - 1) {
                y_high = y_low = height - 1;
                yv = static_cast<double>(y_low);
              } else {
                y_high = y_low + 1;
              }
              if (x_low >= width - 1) {
                x_high = x_low = width - 1;
                xx = static_cast<double>(x_low);
              } else {
                x_high = x_low + 1;
              }
              const double ly = yv - static_cast<double>(y_low),
                           lx = xx - static_cast<double>(x_low);
              const double hy = 1.0 - ly, hx = 1.0 - lx;
              Sample& s = samples[si];
              s.pos[0] = y_low * width + x_low;
              s.pos[1] = y_low * width + x_high;
              s.pos[2] = y_high * width + x_low;
              s.pos[3] = y_high * width + x_high;
              s.w[0] = hy * hx;
              s.w[1] = hy * lx;
              s.w[2] = ly * hx;
              s.w[3] = ly * lx;
            }
          }
        }
      }
      for (int64_t c = 0; c < c_count; ++c) {
        const T* plane = x + (batch[static_cast<size_t>(r)] * c_count + c) * height * width;
        T* out = y + (r * c_count + c) * cfg.out_h * cfg.out_w;
        size_t k = 0;
        for (int64_t b = 0; b < cfg.out_h * cfg.out_w; ++b) {
          double acc = 0.0;
          bool first = true;
          for (int64_t g = 0; g < grid_h * grid_w; ++g, ++k) {
            const Sample& s = samples[k];
            if (cfg.max_mode) {
              double v = s.w[0] * static_cast<double>(plane[s.pos[0]]);
              for (int q = 1; q < 4; ++q)
                v = std::max(v, s.w[q] * static_cast<double>(plane[s.pos[q]]));
              acc = first ? v : std::max(acc, v);
              first = false;
            } else {
              for (int q = 0; q < 4; ++q) acc += s.w[q] * static_cast<double>(plane[s.pos[q]]);
            }
          }
          out[b] = static_cast<T>(cfg.max_mode ? acc : acc / static_cast<double>(count));
        }
      }
    }
  });
}

class RoiAlignKernel final : public exec::Kernel {
 public:
  explicit RoiAlignKernel(RoiAlignConfig cfg) : cfg_(cfg) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& rois = *inputs[1];
    RETURN_IF_ERROR(exec::check_dtype(x, 0, "RoiAlign", {DataType::kFloat32, DataType::kFloat64}));
    RETURN_IF_ERROR(exec::check_same_dtype(x, rois));
    ASSIGN_OR_RETURN(std::vector<int64_t> batch, read_int_tensor(*inputs[2], 2, "RoiAlign"));
    if (x.rank() != 4) {
      return invalid_argument("X must be [N, C, H, W], got " + shape_to_string(x.shape()));
    }
    const int64_t num_rois = static_cast<int64_t>(batch.size());
    if (rois.shape() != Shape{num_rois, 4} || inputs[2]->rank() != 1) {
      return invalid_argument("rois " + shape_to_string(rois.shape()) + " must be [" +
                              std::to_string(num_rois) + ", 4] to match batch_indices " +
                              shape_to_string(inputs[2]->shape()));
    }
    for (int64_t b : batch) {
      if (b < 0 || b >= x.shape()[0]) {
        return invalid_argument("batch index " + std::to_string(b) + " is outside [0, " +
                                std::to_string(x.shape()[0]) + ")");
      }
    }
    const Shape out_shape{num_rois, x.shape()[1], cfg_.out_h, cfg_.out_w};
    RETURN_IF_ERROR(checked_num_elements(out_shape, sizeof(double)).status());
    Tensor y = Tensor::allocate(x.dtype(), out_shape);
    if (y.num_elements() > 0 && x.num_elements() > 0) {
      if (x.dtype() == DataType::kFloat32) {
        roi_align(x.data<float>(), rois.data<float>(), batch, y.mutable_data<float>(), x.shape()[1],
                  x.shape()[2], x.shape()[3], cfg_, ctx);
      } else {
        roi_align(x.data<double>(), rois.data<double>(), batch, y.mutable_data<double>(),
                  x.shape()[1], x.shape()[2], x.shape()[3], cfg_, ctx);
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  RoiAlignConfig cfg_;
};

Result<std::unique_ptr<exec::Kernel>> make_roi_align(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 3, 3));
  const bool has_ctm = node.opset >= 16;
  if (has_ctm) {
    RETURN_IF_ERROR(
        exec::check_attributes(node, {"coordinate_transformation_mode", "mode", "output_height",
                                      "output_width", "sampling_ratio", "spatial_scale"}));
  } else {
    RETURN_IF_ERROR(exec::check_attributes(
        node, {"mode", "output_height", "output_width", "sampling_ratio", "spatial_scale"}));
  }
  RoiAlignConfig cfg;
  ASSIGN_OR_RETURN(std::string ctm,
                   node.attributes.get_string("coordinate_transformation_mode",
                                              has_ctm ? "half_pixel" : "output_half_pixel"));
  if (ctm != "half_pixel" && ctm != "output_half_pixel") {
    return invalid_argument(
        "coordinate_transformation_mode must be \"half_pixel\" or "
        "\"output_half_pixel\", got \"" +
        ctm + "\"");
  }
  cfg.half_pixel = ctm == "half_pixel";
  ASSIGN_OR_RETURN(std::string mode, node.attributes.get_string("mode", "avg"));
  if (mode != "avg" && mode != "max") {
    return invalid_argument("mode must be \"avg\" or \"max\", got \"" + mode + "\"");
  }
  cfg.max_mode = mode == "max";
  ASSIGN_OR_RETURN(cfg.out_h, node.attributes.get_int("output_height", 1));
  ASSIGN_OR_RETURN(cfg.out_w, node.attributes.get_int("output_width", 1));
  ASSIGN_OR_RETURN(cfg.sampling_ratio, node.attributes.get_int("sampling_ratio", 0));
  ASSIGN_OR_RETURN(cfg.spatial_scale, node.attributes.get_float("spatial_scale", 1.0f));
  if (cfg.out_h <= 0 || cfg.out_w <= 0 || cfg.sampling_ratio < 0) {
    return invalid_argument(
        "output_height and output_width must be positive and sampling_ratio "
        "non-negative");
  }
  return exec::make_kernel<RoiAlignKernel>(cfg);
}

MH_REGISTER_CPU_KERNEL(RoiAlign, 10, exec::kMaxOpset, make_roi_align);

}  // namespace
}  // namespace modelhost::engine::cpu

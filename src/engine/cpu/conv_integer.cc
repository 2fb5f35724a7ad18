// ConvInteger (opset 10+): int32 Y = Conv(X - x_zero_point, W - w_zero_point) without bias, for
// int8 / uint8 X and W; x_zero_point is a scalar, w_zero_point a scalar or one value per output
// channel. Attributes as Conv (auto_pad, dilations, group, kernel_shape, pads, strides); 1-D to
// 3-D. A direct loop: integer convolutions are served for correctness, not speed.
#include <string>
#include <vector>

#include "engine/cpu/pool_util.h"
#include "engine/cpu/quant_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class ConvIntegerKernel final : public exec::Kernel {
 public:
  ConvIntegerKernel(WindowAttrs attrs, int64_t group) : attrs_(std::move(attrs)), group_(group) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& w = *inputs[1];
    RETURN_IF_ERROR(exec::check_dtype(x, 0, "ConvInteger", {DataType::kInt8, DataType::kUInt8}));
    RETURN_IF_ERROR(exec::check_dtype(w, 1, "ConvInteger", {DataType::kInt8, DataType::kUInt8}));
    if (x.rank() < 3 || w.rank() != x.rank()) {
      return invalid_argument("X " + shape_to_string(x.shape()) + " and W " +
                              shape_to_string(w.shape()) +
                              " must be [N, C, spatial...] and [M, C / group, kernel...]");
    }
    const int64_t n = x.shape()[0], c = x.shape()[1], m = w.shape()[0];
    if (c % group_ != 0 || m % group_ != 0 || w.shape()[1] != c / group_) {
      return invalid_argument("W " + shape_to_string(w.shape()) + " does not match " +
                              std::to_string(c) + " input channels in " + std::to_string(group_) +
                              " groups");
    }
    const std::vector<int64_t> in_spatial(x.shape().begin() + 2, x.shape().end());
    const std::vector<int64_t> kernel(w.shape().begin() + 2, w.shape().end());
    if (!attrs_.kernel.empty() && attrs_.kernel != kernel) {
      return invalid_argument("kernel_shape " + shape_to_string(attrs_.kernel) +
                              " differs from W's " + shape_to_string(kernel));
    }
    ASSIGN_OR_RETURN(Geometry3 g, resolve_geometry(attrs_, in_spatial, kernel));
    int32_t xzp = 0;
    if (inputs.size() > 2 && inputs[2] != nullptr) {
      const Tensor& z = *inputs[2];
      if (z.dtype() != x.dtype() || z.num_elements() != 1) {
        return invalid_argument("x_zero_point must be one value of X's dtype, got " +
                                std::string(dtype_name(z.dtype())) + " " +
                                shape_to_string(z.shape()));
      }
      xzp = widen_quantized(z)[0];
    }
    std::vector<int32_t> wzp(static_cast<size_t>(m), 0);
    if (inputs.size() > 3 && inputs[3] != nullptr) {
      const Tensor& z = *inputs[3];
      if (z.dtype() != w.dtype() || (z.num_elements() != 1 && z.num_elements() != m)) {
        return invalid_argument("w_zero_point must be of W's dtype and hold 1 or " +
                                std::to_string(m) + " values, got " +
                                std::string(dtype_name(z.dtype())) + " " +
                                shape_to_string(z.shape()));
      }
      const std::vector<int32_t> v = widen_quantized(z);
      for (int64_t i = 0; i < m; ++i)
        wzp[static_cast<size_t>(i)] = v.size() == 1 ? v[0] : v[static_cast<size_t>(i)];
    }
    Shape out_shape{n, m};
    for (int64_t d : g.out_dims()) out_shape.push_back(d);
    RETURN_IF_ERROR(checked_num_elements(out_shape, sizeof(int32_t)).status());
    Tensor y = Tensor::allocate(DataType::kInt32, out_shape);
    const std::vector<int32_t> xv = widen_quantized(x), wv = widen_quantized(w);
    const int64_t cg = c / group_, mg = m / group_;
    const int64_t in_plane = g.in[0] * g.in[1] * g.in[2];
    const int64_t out_plane = g.out[0] * g.out[1] * g.out[2];
    const int64_t k_plane = g.kernel[0] * g.kernel[1] * g.kernel[2];
    int32_t* po = y.mutable_data<int32_t>();
    exec::parallel_for(ctx, n * m, 1, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t b = r / m, oc = r % m, grp = oc / mg;
        const int32_t zw = wzp[static_cast<size_t>(oc)];
        int32_t* out = po + r * out_plane;
        for (int64_t o0 = 0; o0 < g.out[0]; ++o0) {
          for (int64_t o1 = 0; o1 < g.out[1]; ++o1) {
            for (int64_t o2 = 0; o2 < g.out[2]; ++o2) {
              const int64_t acc =
                  int_conv_position(g, xv.data() + (b * c + grp * cg) * in_plane, in_plane,
                                    wv.data() + oc * cg * k_plane, k_plane, cg, xzp, zw, o0, o1, o2);
              out[(o0 * g.out[1] + o1) * g.out[2] + o2] = static_cast<int32_t>(acc);
            }
          }
        }
      }
    });
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  WindowAttrs attrs_;
  int64_t group_;
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 4));
  RETURN_IF_ERROR(exec::check_attributes(
      node, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}));
  ASSIGN_OR_RETURN(WindowAttrs attrs, parse_window_attrs(node, false));
  ASSIGN_OR_RETURN(int64_t group, node.attributes.get_int("group", 1));
  if (group < 1) return invalid_argument("group must be >= 1, got " + std::to_string(group));
  return exec::make_kernel<ConvIntegerKernel>(std::move(attrs), group);
}

MH_REGISTER_CPU_KERNEL(ConvInteger, 10, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

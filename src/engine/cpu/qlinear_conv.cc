// QLinearConv (opset 10+): quantized convolution. The int32 sum of (x - x_zero_point) *
// (w - w_zero_point) plus the optional int32 bias B is requantized to y's dtype (y_zero_point's:
// int8 or uint8): round_half_even(acc * x_scale * w_scale / y_scale) + y_zero_point, saturated.
// w_scale / w_zero_point may hold one value per output channel. Attributes as Conv; 1-D to 3-D.
#include <string>
#include <vector>

#include "engine/cpu/pool_util.h"
#include "engine/cpu/quant_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class QLinearConvKernel final : public exec::Kernel {
 public:
  QLinearConvKernel(WindowAttrs attrs, int64_t group) : attrs_(std::move(attrs)), group_(group) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& w = *inputs[3];
    const Tensor& x_zp = *inputs[2];
    const Tensor& w_zp = *inputs[5];
    const Tensor& y_zp = *inputs[7];
    const Tensor* bias = inputs.size() > 8 ? inputs[8] : nullptr;
    for (size_t i : {size_t{0}, size_t{2}, size_t{3}, size_t{5}, size_t{7}}) {
      RETURN_IF_ERROR(
          exec::check_dtype(*inputs[i], i, "QLinearConv", {DataType::kInt8, DataType::kUInt8}));
    }
    if (x_zp.dtype() != x.dtype() || w_zp.dtype() != w.dtype()) {
      return invalid_argument("x_zero_point and w_zero_point must have the dtypes of x and w");
    }
    const DataType scale_dtype = inputs[1]->dtype();
    ASSIGN_OR_RETURN(std::vector<float> x_scale, read_scales(*inputs[1], "x_scale"));
    ASSIGN_OR_RETURN(std::vector<float> w_scale, read_scales(*inputs[4], "w_scale"));
    ASSIGN_OR_RETURN(std::vector<float> y_scale, read_scales(*inputs[6], "y_scale"));
    if (x_scale.size() != 1 || y_scale.size() != 1 || x_zp.num_elements() != 1 ||
        y_zp.num_elements() != 1) {
      return invalid_argument(
          "x_scale, x_zero_point, y_scale and y_zero_point must hold one value");
    }
    if (x.rank() < 3 || w.rank() != x.rank()) {
      return invalid_argument("x " + shape_to_string(x.shape()) + " and w " +
                              shape_to_string(w.shape()) +
                              " must be [N, C, spatial...] and [M, C / group, kernel...]");
    }
    const int64_t n = x.shape()[0], c = x.shape()[1], m = w.shape()[0];
    if (c % group_ != 0 || m % group_ != 0 || w.shape()[1] != c / group_) {
      return invalid_argument("w " + shape_to_string(w.shape()) + " does not match " +
                              std::to_string(c) + " input channels in " + std::to_string(group_) +
                              " groups");
    }
    ASSIGN_OR_RETURN(w_scale, expand_param(w_scale, m, "w_scale"));
    ASSIGN_OR_RETURN(std::vector<int32_t> wzp,
                     expand_param(widen_quantized(w_zp), m, "w_zero_point"));
    std::vector<int32_t> b(static_cast<size_t>(m), 0);
    if (bias != nullptr) {
      RETURN_IF_ERROR(exec::check_dtype(*bias, 8, "QLinearConv", {DataType::kInt32}));
      if (bias->shape() != Shape{m}) {
        return invalid_argument("B " + shape_to_string(bias->shape()) + " must be [" +
                                std::to_string(m) + "]");
      }
      b = bias->to_vector<int32_t>();
    }
    const std::vector<int64_t> in_spatial(x.shape().begin() + 2, x.shape().end());
    const std::vector<int64_t> kernel(w.shape().begin() + 2, w.shape().end());
    if (!attrs_.kernel.empty() && attrs_.kernel != kernel) {
      return invalid_argument("kernel_shape " + shape_to_string(attrs_.kernel) +
                              " differs from w's " + shape_to_string(kernel));
    }
    ASSIGN_OR_RETURN(Geometry3 g, resolve_geometry(attrs_, in_spatial, kernel));
    Shape out_shape{n, m};
    for (int64_t d : g.out_dims()) out_shape.push_back(d);
    RETURN_IF_ERROR(checked_num_elements(out_shape, sizeof(int32_t)).status());
    std::vector<double> mult(static_cast<size_t>(m));
    for (int64_t oc = 0; oc < m; ++oc) {
      const float xw =
          round_to_scale_dtype(x_scale[0] * w_scale[static_cast<size_t>(oc)], scale_dtype);
      mult[static_cast<size_t>(oc)] = round_to_scale_dtype(xw / y_scale[0], scale_dtype);
    }
    const int32_t xzp = widen_quantized(x_zp)[0];
    const int32_t yzp = widen_quantized(y_zp)[0];
    Tensor y = Tensor::allocate(y_zp.dtype(), out_shape);
    const DataType out_dtype = y.dtype();
    const std::vector<int32_t> xv = widen_quantized(x), wv = widen_quantized(w);
    const int64_t cg = c / group_, mg = m / group_;
    const int64_t in_plane = g.in[0] * g.in[1] * g.in[2];
    const int64_t out_plane = g.out[0] * g.out[1] * g.out[2];
    const int64_t k_plane = g.kernel[0] * g.kernel[1] * g.kernel[2];
    uint8_t* po = static_cast<uint8_t*>(y.mutable_raw_data());
    exec::parallel_for(ctx, n * m, 1, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t bi = r / m, oc = r % m, grp = oc / mg;
        const int32_t zw = wzp[static_cast<size_t>(oc)];
        uint8_t* out = po + r * out_plane;
        for (int64_t o0 = 0; o0 < g.out[0]; ++o0) {
          for (int64_t o1 = 0; o1 < g.out[1]; ++o1) {
            for (int64_t o2 = 0; o2 < g.out[2]; ++o2) {
              const int64_t acc =
                  b[static_cast<size_t>(oc)] +
                  int_conv_position(g, xv.data() + (bi * c + grp * cg) * in_plane, in_plane,
                                    wv.data() + oc * cg * k_plane, k_plane, cg, xzp, zw, o0, o1, o2);
              const int32_t q = requantize(acc, mult[static_cast<size_t>(oc)], yzp, out_dtype);
              out[(o0 * g.out[1] + o1) * g.out[2] + o2] = static_cast<uint8_t>(q);
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
  RETURN_IF_ERROR(exec::check_arity(node, 8, 9));
  RETURN_IF_ERROR(exec::check_attributes(
      node, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}));
  ASSIGN_OR_RETURN(WindowAttrs attrs, parse_window_attrs(node, false));
  ASSIGN_OR_RETURN(int64_t group, node.attributes.get_int("group", 1));
  if (group < 1) return invalid_argument("group must be >= 1, got " + std::to_string(group));
  return exec::make_kernel<QLinearConvKernel>(std::move(attrs), group);
}

MH_REGISTER_CPU_KERNEL(QLinearConv, 10, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

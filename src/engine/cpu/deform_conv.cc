// DeformConv (opset 19+), 2-D: a convolution whose kernel taps are moved by learned offsets.
// X [N, C, H, W], W [M, C / group, kH, kW], offset [N, offset_group * kH * kW * 2, oH, oW] (dy, dx
// per tap), optional B [M] and mask [N, offset_group * kH * kW, oH, oW]. Each tap reads X at
// (oh * stride - pad + kh * dilation + dy, ow * stride - pad + kw * dilation + dx) by bilinear
// interpolation, zero outside the image, scaled by its mask value. float32 and float64.
#include <cmath>
#include <string>
#include <vector>

#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct DeformAttrs {
  std::vector<int64_t> dilations, kernel, pads, strides;
  int64_t group = 1, offset_group = 1;
};

template <typename T>
double bilinear(const T* plane, int64_t height, int64_t width, double h, double w) {
  const double h0f = std::floor(h), w0f = std::floor(w);
  const int64_t h0 = static_cast<int64_t>(h0f), w0 = static_cast<int64_t>(w0f);
  const double lh = h - h0f, lw = w - w0f;
  double v = 0.0;
  auto at = [&](int64_t y, int64_t x, double weight) {
    if (y >= 0 && y < height && x >= 0 && x < width && weight != 0.0) {
      v += weight * static_cast<double>(plane[y * width + x]);
    }
  };
  at(h0, w0, (1 - lh) * (1 - lw));
  at(h0, w0 + 1, (1 - lh) * lw);
  at(h0 + 1, w0, lh * (1 - lw));
  at(h0 + 1, w0 + 1, lh * lw);
  return v;
}

class DeformConvKernel final : public exec::Kernel {
 public:
  explicit DeformConvKernel(DeformAttrs a) : a_(std::move(a)) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& w = *inputs[1];
    const Tensor& off = *inputs[2];
    const Tensor* b = inputs.size() > 3 ? inputs[3] : nullptr;
    const Tensor* mask = inputs.size() > 4 ? inputs[4] : nullptr;
    RETURN_IF_ERROR(
        exec::check_dtype(x, 0, "DeformConv", {DataType::kFloat32, DataType::kFloat64}));
    RETURN_IF_ERROR(exec::check_same_dtype(x, w));
    RETURN_IF_ERROR(exec::check_same_dtype(x, off));
    if (b) RETURN_IF_ERROR(exec::check_same_dtype(x, *b));
    if (mask) RETURN_IF_ERROR(exec::check_same_dtype(x, *mask));
    if (x.rank() != 4 || w.rank() != 4 || off.rank() != 4) {
      return unimplemented(
          "DeformConv supports 2-D inputs only (X, W and offset of rank 4), got X " +
          shape_to_string(x.shape()));
    }
    const int64_t n = x.shape()[0], c = x.shape()[1], ih = x.shape()[2], iw = x.shape()[3];
    const int64_t m = w.shape()[0], kh = w.shape()[2], kw = w.shape()[3];
    const int64_t g = a_.group, og = a_.offset_group;
    if (c != w.shape()[1] * g || m % g != 0 || c % og != 0) {
      return invalid_argument("X " + shape_to_string(x.shape()) + ", W " +
                              shape_to_string(w.shape()) + " do not fit group " +
                              std::to_string(g) + " and offset_group " + std::to_string(og));
    }
    if (!a_.kernel.empty() && a_.kernel != std::vector<int64_t>{kh, kw}) {
      return invalid_argument("kernel_shape " + shape_to_string(a_.kernel) + " differs from W's [" +
                              std::to_string(kh) + "," + std::to_string(kw) + "]");
    }
    const int64_t sh = a_.strides.empty() ? 1 : a_.strides[0],
                  sw = a_.strides.empty() ? 1 : a_.strides[1];
    const int64_t dh = a_.dilations.empty() ? 1 : a_.dilations[0],
                  dw = a_.dilations.empty() ? 1 : a_.dilations[1];
    const int64_t pt = a_.pads.empty() ? 0 : a_.pads[0], pl = a_.pads.empty() ? 0 : a_.pads[1];
    const int64_t pb = a_.pads.empty() ? 0 : a_.pads[2], pr = a_.pads.empty() ? 0 : a_.pads[3];
    const int64_t oh = (ih + pt + pb - ((kh - 1) * dh + 1)) / sh + 1;
    const int64_t ow = (iw + pl + pr - ((kw - 1) * dw + 1)) / sw + 1;
    if (oh <= 0 || ow <= 0) return invalid_argument("the kernel is larger than the padded input");
    const Shape off_shape{n, og * kh * kw * 2, oh, ow};
    if (off.shape() != off_shape) {
      return invalid_argument("offset " + shape_to_string(off.shape()) + " must be " +
                              shape_to_string(off_shape));
    }
    if (mask && mask->shape() != Shape{n, og * kh * kw, oh, ow}) {
      return invalid_argument("mask " + shape_to_string(mask->shape()) + " must be " +
                              shape_to_string(Shape{n, og * kh * kw, oh, ow}));
    }
    if (b && b->shape() != Shape{m}) {
      return invalid_argument("B " + shape_to_string(b->shape()) + " must be [" +
                              std::to_string(m) + "]");
    }
    Tensor y = Tensor::allocate(x.dtype(), {n, m, oh, ow});
    if (x.dtype() == DataType::kFloat32) {
      run<float>(x, w, off, b, mask, y, ctx, sh, sw, dh, dw, pt, pl, oh, ow);
    } else {
      run<double>(x, w, off, b, mask, y, ctx, sh, sw, dh, dw, pt, pl, oh, ow);
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  template <typename T>
  void run(const Tensor& x, const Tensor& w, const Tensor& off, const Tensor* b, const Tensor* mask,
           Tensor& y, const exec::KernelContext& ctx, int64_t sh, int64_t sw, int64_t dh,
           int64_t dw, int64_t pt, int64_t pl, int64_t oh, int64_t ow) const {
    const int64_t n = x.shape()[0], c = x.shape()[1], ih = x.shape()[2], iw = x.shape()[3];
    const int64_t m = w.shape()[0], cg = w.shape()[1], kh = w.shape()[2], kw = w.shape()[3];
    const int64_t mg = m / a_.group, c_per_og = c / a_.offset_group;
    const T* px = x.data<T>();
    const T* pw = w.data<T>();
    const T* po = off.data<T>();
    const T* pm = mask ? mask->data<T>() : nullptr;
    T* py = y.mutable_data<T>();
    const int64_t plane = oh * ow;
    exec::parallel_for(ctx, n * m, 1, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t bi = r / m, oc = r % m, grp = oc / mg;
        for (int64_t i = 0; i < oh; ++i) {
          for (int64_t j = 0; j < ow; ++j) {
            double acc = b ? static_cast<double>(b->data<T>()[oc]) : 0.0;
            for (int64_t icg = 0; icg < cg; ++icg) {
              const int64_t ic = grp * cg + icg;
              const int64_t ogi = ic / c_per_og;
              const T* xplane = px + (bi * c + ic) * ih * iw;
              for (int64_t a = 0; a < kh; ++a) {
                for (int64_t q = 0; q < kw; ++q) {
                  const int64_t tap = (ogi * kh + a) * kw + q;
                  const double dy =
                      static_cast<double>(po[((bi * off.shape()[1] + tap * 2) * oh + i) * ow + j]);
                  const double dx = static_cast<double>(
                      po[((bi * off.shape()[1] + tap * 2 + 1) * oh + i) * ow + j]);
                  const double hh = static_cast<double>(i * sh - pt + a * dh) + dy;
                  const double ww = static_cast<double>(j * sw - pl + q * dw) + dx;
                  double v = bilinear(xplane, ih, iw, hh, ww);
                  if (pm)
                    v *= static_cast<double>(pm[((bi * mask->shape()[1] + tap) * oh + i) * ow + j]);
                  acc += v * static_cast<double>(pw[((oc * cg + icg) * kh + a) * kw + q]);
                }
              }
            }
            py[r * plane + i * ow + j] = static_cast<T>(acc);
          }
        }
      }
    });
  }

  DeformAttrs a_;
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 3, 5));
  RETURN_IF_ERROR(exec::check_attributes(
      node, {"dilations", "group", "kernel_shape", "offset_group", "pads", "strides"}));
  DeformAttrs a;
  ASSIGN_OR_RETURN(a.dilations, node.attributes.get_ints("dilations", {}));
  ASSIGN_OR_RETURN(a.kernel, node.attributes.get_ints("kernel_shape", {}));
  ASSIGN_OR_RETURN(a.pads, node.attributes.get_ints("pads", {}));
  ASSIGN_OR_RETURN(a.strides, node.attributes.get_ints("strides", {}));
  ASSIGN_OR_RETURN(a.group, node.attributes.get_int("group", 1));
  ASSIGN_OR_RETURN(a.offset_group, node.attributes.get_int("offset_group", 1));
  if (a.group < 1 || a.offset_group < 1)
    return invalid_argument("group and offset_group must be >= 1");
  if ((!a.dilations.empty() && a.dilations.size() != 2) ||
      (!a.strides.empty() && a.strides.size() != 2) || (!a.pads.empty() && a.pads.size() != 4) ||
      (!a.kernel.empty() && a.kernel.size() != 2)) {
    return unimplemented(
        "DeformConv supports 2-D only: dilations, strides and kernel_shape take 2 "
        "values, pads 4");
  }
  for (int64_t v : a.dilations)
    if (v < 1) return invalid_argument("dilations must be >= 1");
  for (int64_t v : a.strides)
    if (v < 1) return invalid_argument("strides must be >= 1");
  for (int64_t v : a.pads)
    if (v < 0) return invalid_argument("pads must be >= 0");
  return exec::make_kernel<DeformConvKernel>(std::move(a));
}

MH_REGISTER_CPU_KERNEL(DeformConv, 19, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

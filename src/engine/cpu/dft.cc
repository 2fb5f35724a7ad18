// DFT (opset 17+): the discrete Fourier transform along one axis of a real ([..., 1]) or complex
// ([..., 2], real and imaginary) signal; the output is complex [..., 2]. dft_length (optional
// input) zero-pads or truncates the signal; `inverse` computes the inverse transform (divided by
// the length); `onesided` keeps the first length / 2 + 1 bins. The axis is an attribute
// (default 1) before opset 20 and an optional input (default -2) from opset 20. float32 and
// float64; float16 / bfloat16 in float32.
#include <string>
#include <vector>

#include "engine/cpu/dft_util.h"
#include "engine/cpu/elementwise.h"
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class DftKernel final : public exec::Kernel {
 public:
  DftKernel(bool axis_input, int64_t axis_attr, bool inverse, bool onesided)
      : axis_input_(axis_input), axis_attr_(axis_attr), inverse_(inverse), onesided_(onesided) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    RETURN_IF_ERROR(exec::check_dtype(
        x, 0, "DFT",
        {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kBFloat16}));
    const int64_t rank = x.rank();
    if (rank < 2 || (x.shape().back() != 1 && x.shape().back() != 2)) {
      return invalid_argument(
          "DFT input must be [..., signal, 1] (real) or [..., signal, 2] "
          "(complex), got " +
          shape_to_string(x.shape()));
    }
    int64_t axis = axis_attr_;
    if (axis_input_) {
      axis = -2;
      if (inputs.size() > 2 && inputs[2] != nullptr) {
        ASSIGN_OR_RETURN(axis, read_int_scalar(*inputs[2], 2, "DFT"));
      }
    }
    ASSIGN_OR_RETURN(axis, exec::normalize_axis(axis, rank));
    if (axis == rank - 1) {
      return invalid_argument("DFT axis must not be the last (real/imaginary) dim");
    }
    const int64_t n = x.shape()[static_cast<size_t>(axis)];
    int64_t length = n;
    if (inputs.size() > 1 && inputs[1] != nullptr) {
      ASSIGN_OR_RETURN(length, read_int_scalar(*inputs[1], 1, "DFT"));
      if (length <= 0) {
        return invalid_argument("dft_length must be positive, got " + std::to_string(length));
      }
    }
    const int64_t bins = onesided_ ? length / 2 + 1 : length;
    Shape out_shape = x.shape();
    out_shape[static_cast<size_t>(axis)] = bins;
    out_shape.back() = 2;
    RETURN_IF_ERROR(checked_num_elements(out_shape, sizeof(double)).status());
    ASSIGN_OR_RETURN(Tensor x64, to_float64(ctx, x));
    const bool complex = x.shape().back() == 2;
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.shape()[static_cast<size_t>(d)];
    for (int64_t d = axis + 1; d < rank - 1; ++d) inner *= x.shape()[static_cast<size_t>(d)];
    const int64_t comps = x.shape().back();
    Tensor y64 = Tensor::allocate(DataType::kFloat64, out_shape);
    const double* in = x64.data<double>();
    double* out = y64.mutable_data<double>();
    const Twiddles tw(length, inverse_);
    const double scale = inverse_ ? 1.0 / static_cast<double>(length) : 1.0;
    exec::parallel_for(ctx, outer * inner, 1, [&](int64_t v0, int64_t v1) {
      std::vector<double> re(static_cast<size_t>(bins)), im(re.size());
      for (int64_t v = v0; v < v1; ++v) {
        const int64_t o = v / inner, i = v % inner;
        const double* base = in + (o * n * inner + i) * comps;
        dft_1d(base, complex ? base + 1 : nullptr, n, inner * comps, tw, bins, scale, re.data(),
               im.data());
        double* ob = out + (o * bins * inner + i) * 2;
        for (int64_t k = 0; k < bins; ++k) {
          ob[k * inner * 2] = re[static_cast<size_t>(k)];
          ob[k * inner * 2 + 1] = im[static_cast<size_t>(k)];
        }
      }
    });
    ASSIGN_OR_RETURN(outputs[0], from_float64(ctx, y64, x.dtype()));
    return Status::ok_status();
  }

 private:
  static Result<Tensor> to_float64(const exec::KernelContext& ctx, const Tensor& x) {
    if (x.dtype() == DataType::kFloat64) return x;
    Tensor f = x;
    if (x.dtype() != DataType::kFloat32) {
      ASSIGN_OR_RETURN(f, half_to_float32(ctx, x));
    }
    Tensor d = Tensor::allocate(DataType::kFloat64, x.shape());
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      d.mutable_data<double>()[i] = static_cast<double>(f.data<float>()[i]);
    }
    return d;
  }

  static Result<Tensor> from_float64(const exec::KernelContext& ctx, const Tensor& y, DataType to) {
    if (to == DataType::kFloat64) return y;
    Tensor f = Tensor::allocate(DataType::kFloat32, y.shape());
    for (int64_t i = 0; i < y.num_elements(); ++i) {
      f.mutable_data<float>()[i] = static_cast<float>(y.data<double>()[i]);
    }
    if (to == DataType::kFloat32) return f;
    return float32_to_half(ctx, f, to);
  }

  bool axis_input_;
  int64_t axis_attr_;
  bool inverse_;
  bool onesided_;
};

Result<std::unique_ptr<exec::Kernel>> make_dft(const ir::Node& node) {
  const bool axis_input = node.opset >= 20;
  if (axis_input) {
    RETURN_IF_ERROR(exec::check_arity(node, 1, 3));
    RETURN_IF_ERROR(exec::check_attributes(node, {"inverse", "onesided"}));
  } else {
    RETURN_IF_ERROR(exec::check_arity(node, 1, 2));
    RETURN_IF_ERROR(exec::check_attributes(node, {"axis", "inverse", "onesided"}));
  }
  ASSIGN_OR_RETURN(int64_t axis, node.attributes.get_int("axis", 1));
  ASSIGN_OR_RETURN(int64_t inverse, node.attributes.get_int("inverse", 0));
  ASSIGN_OR_RETURN(int64_t onesided, node.attributes.get_int("onesided", 0));
  if ((inverse != 0 && inverse != 1) || (onesided != 0 && onesided != 1)) {
    return invalid_argument("inverse and onesided must be 0 or 1");
  }
  return exec::make_kernel<DftKernel>(axis_input, axis, inverse == 1, onesided == 1);
}

MH_REGISTER_CPU_KERNEL(DFT, 17, exec::kMaxOpset, make_dft);

}  // namespace
}  // namespace modelhost::engine::cpu

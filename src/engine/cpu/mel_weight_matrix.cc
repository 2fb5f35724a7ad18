// MelWeightMatrix (opset 17+): the [dft_length / 2 + 1, num_mel_bins] matrix that maps a onesided
// spectrum to mel bands: triangular filters between num_mel_bins + 2 points spaced evenly on the
// mel scale (2595 log10(1 + f / 700)) from lower_edge_hertz to upper_edge_hertz, each point
// rounded down to a spectrum bin floor((dft_length + 1) * f / sample_rate). Computed in double,
// stored as output_datatype (default float32); follows the ONNX reference implementation.
#include <cmath>
#include <string>
#include <vector>

#include "engine/cpu/shape_util.h"
#include "engine/cpu/unary.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

Result<double> float_scalar(const Tensor& t, size_t index) {
  if (t.num_elements() != 1) {
    return invalid_argument("input " + std::to_string(index) + " must hold one value, got " +
                            shape_to_string(t.shape()));
  }
  switch (t.dtype()) {
    case DataType::kFloat32:
      return static_cast<double>(t.data<float>()[0]);
    case DataType::kFloat64:
      return t.data<double>()[0];
    case DataType::kFloat16:
      return static_cast<double>(half_bits_to_float(t.data<uint16_t>()[0]));
    case DataType::kBFloat16:
      return static_cast<double>(bf16_bits_to_float(t.data<uint16_t>()[0]));
    default:
      return unsupported_dtype(t, index, "MelWeightMatrix", kFloatTypes);
  }
}

class MelWeightMatrixKernel final : public exec::Kernel {
 public:
  explicit MelWeightMatrixKernel(DataType out) : out_(out) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    ASSIGN_OR_RETURN(const int64_t mel_bins, read_int_scalar(*inputs[0], 0, "MelWeightMatrix"));
    ASSIGN_OR_RETURN(const int64_t dft_length, read_int_scalar(*inputs[1], 1, "MelWeightMatrix"));
    ASSIGN_OR_RETURN(const int64_t sample_rate, read_int_scalar(*inputs[2], 2, "MelWeightMatrix"));
    ASSIGN_OR_RETURN(const double lower, float_scalar(*inputs[3], 3));
    ASSIGN_OR_RETURN(const double upper, float_scalar(*inputs[4], 4));
    if (mel_bins <= 0 || dft_length <= 0 || sample_rate <= 0) {
      return invalid_argument("num_mel_bins, dft_length and sample_rate must be positive");
    }
    if (!(lower >= 0.0 && lower <= upper && upper <= static_cast<double>(sample_rate) / 2.0)) {
      return invalid_argument("need 0 <= lower_edge_hertz <= upper_edge_hertz <= sample_rate / 2");
    }
    const int64_t spectrum_bins = dft_length / 2 + 1;
    const Shape shape{spectrum_bins, mel_bins};
    RETURN_IF_ERROR(checked_num_elements(shape, sizeof(double)).status());
    const auto to_mel = [](double f) { return 2595.0 * std::log10(1.0 + f / 700.0); };
    const double low_mel = to_mel(lower);
    const double step = (to_mel(upper) - low_mel) / static_cast<double>(mel_bins + 2);
    std::vector<int64_t> points(static_cast<size_t>(mel_bins + 2));
    for (int64_t i = 0; i < mel_bins + 2; ++i) {
      const double hz =
          700.0 * (std::pow(10.0, (static_cast<double>(i) * step + low_mel) / 2595.0) - 1.0);
      points[static_cast<size_t>(i)] = static_cast<int64_t>(
          std::floor(static_cast<double>(dft_length + 1) * hz / static_cast<double>(sample_rate)));
    }
    Tensor w = Tensor::allocate(DataType::kFloat64, shape);
    double* m = w.mutable_data<double>();
    auto at = [&](int64_t row, int64_t col) -> double* {
      return row >= 0 && row < spectrum_bins ? &m[row * mel_bins + col] : nullptr;
    };
    for (int64_t i = 0; i < mel_bins; ++i) {
      const int64_t left = points[static_cast<size_t>(i)];
      const int64_t center = points[static_cast<size_t>(i + 1)];
      const int64_t right = points[static_cast<size_t>(i + 2)];
      if (center == left) {
        if (double* p = at(center, i)) *p = 1.0;
      } else {
        for (int64_t j = left; j <= center; ++j) {
          if (double* p = at(j, i))
            *p = static_cast<double>(j - left) / static_cast<double>(center - left);
        }
      }
      for (int64_t j = center; j < right; ++j) {
        if (double* p = at(j, i))
          *p = static_cast<double>(right - j) / static_cast<double>(right - center);
      }
    }
    ASSIGN_OR_RETURN(outputs[0], convert_tensor(ctx, w, out_));
    return Status::ok_status();
  }

 private:
  DataType out_;
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 5, 5));
  RETURN_IF_ERROR(exec::check_attributes(node, {"output_datatype"}));
  ASSIGN_OR_RETURN(int64_t code, node.attributes.get_int("output_datatype", 1));
  ASSIGN_OR_RETURN(DataType out, dtype_attribute(code));
  if (out == DataType::kBool) return invalid_argument("output_datatype must be numeric, got bool");
  return exec::make_kernel<MelWeightMatrixKernel>(out);
}

MH_REGISTER_CPU_KERNEL(MelWeightMatrix, 17, exec::kMaxOpset, make);

}  // namespace
}  // namespace modelhost::engine::cpu

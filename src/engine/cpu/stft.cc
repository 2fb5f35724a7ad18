// STFT (opset 17+): the short-time Fourier transform of signal [batch, length, 1 or 2] (real or
// complex): frames of frame_length samples every frame_step samples, each multiplied by `window`
// (ones without it) and transformed; output [batch, frames, bins, 2] with frames =
// (length - frame_length) / frame_step + 1 and bins = frame_length / 2 + 1 when `onesided`
// (the default) or frame_length otherwise. frame_length defaults to the window's length.
// float32 and float64.
#include <string>
#include <vector>

#include "engine/cpu/dft_util.h"
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

template <typename T>
std::vector<double> as_double(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.num_elements()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(t.data<T>()[i]);
  return v;
}

class StftKernel final : public exec::Kernel {
 public:
  explicit StftKernel(bool onesided) : onesided_(onesided) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    RETURN_IF_ERROR(exec::check_dtype(x, 0, "STFT", {DataType::kFloat32, DataType::kFloat64}));
    if (x.rank() != 3 || (x.shape()[2] != 1 && x.shape()[2] != 2)) {
      return invalid_argument("STFT signal must be [batch, length, 1] or [batch, length, 2], got " +
                              shape_to_string(x.shape()));
    }
    ASSIGN_OR_RETURN(const int64_t step, read_int_scalar(*inputs[1], 1, "STFT"));
    const Tensor* window = inputs.size() > 2 ? inputs[2] : nullptr;
    int64_t frame_length = -1;
    if (inputs.size() > 3 && inputs[3] != nullptr) {
      ASSIGN_OR_RETURN(frame_length, read_int_scalar(*inputs[3], 3, "STFT"));
    }
    if (window != nullptr) {
      RETURN_IF_ERROR(exec::check_same_dtype(x, *window));
      if (window->rank() != 1) {
        return invalid_argument("window must be 1-D, got " + shape_to_string(window->shape()));
      }
      if (frame_length < 0) frame_length = window->shape()[0];
      if (window->shape()[0] != frame_length) {
        return invalid_argument("window length " + std::to_string(window->shape()[0]) +
                                " differs from frame_length " + std::to_string(frame_length));
      }
    }
    if (frame_length < 0) frame_length = x.shape()[1];
    const int64_t batch = x.shape()[0], length = x.shape()[1], comps = x.shape()[2];
    if (step <= 0 || frame_length <= 0 || frame_length > length) {
      return invalid_argument("frame_step (" + std::to_string(step) + ") must be positive and " +
                              "frame_length (" + std::to_string(frame_length) +
                              ") in [1, signal length " + std::to_string(length) + "]");
    }
    const int64_t frames = (length - frame_length) / step + 1;
    const int64_t bins = onesided_ ? frame_length / 2 + 1 : frame_length;
    const Shape out_shape{batch, frames, bins, 2};
    RETURN_IF_ERROR(checked_num_elements(out_shape, sizeof(double)).status());
    const std::vector<double> sig =
        x.dtype() == DataType::kFloat32 ? as_double<float>(x) : as_double<double>(x);
    std::vector<double> win(static_cast<size_t>(frame_length), 1.0);
    if (window != nullptr) {
      win = window->dtype() == DataType::kFloat32 ? as_double<float>(*window)
                                                  : as_double<double>(*window);
    }
    Tensor y = Tensor::allocate(x.dtype(), out_shape);
    const Twiddles tw(frame_length, false);
    exec::parallel_for(ctx, batch * frames, 1, [&](int64_t v0, int64_t v1) {
      std::vector<double> re(static_cast<size_t>(frame_length)), im(re.size());
      std::vector<double> ore(static_cast<size_t>(bins)), oim(ore.size());
      for (int64_t v = v0; v < v1; ++v) {
        const int64_t b = v / frames, f = v % frames;
        const double* s = sig.data() + (b * length + f * step) * comps;
        for (int64_t j = 0; j < frame_length; ++j) {
          re[static_cast<size_t>(j)] = s[j * comps] * win[static_cast<size_t>(j)];
          im[static_cast<size_t>(j)] =
              comps == 2 ? s[j * comps + 1] * win[static_cast<size_t>(j)] : 0.0;
        }
        dft_1d(re.data(), im.data(), frame_length, 1, tw, bins, 1.0, ore.data(), oim.data());
        for (int64_t k = 0; k < bins; ++k) {
          const int64_t o = (v * bins + k) * 2;
          if (x.dtype() == DataType::kFloat32) {
            y.mutable_data<float>()[o] = static_cast<float>(ore[static_cast<size_t>(k)]);
            y.mutable_data<float>()[o + 1] = static_cast<float>(oim[static_cast<size_t>(k)]);
          } else {
            y.mutable_data<double>()[o] = ore[static_cast<size_t>(k)];
            y.mutable_data<double>()[o + 1] = oim[static_cast<size_t>(k)];
          }
        }
      }
    });
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  bool onesided_;
};

Result<std::unique_ptr<exec::Kernel>> make_stft(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 4));
  RETURN_IF_ERROR(exec::check_attributes(node, {"onesided"}));
  ASSIGN_OR_RETURN(int64_t onesided, node.attributes.get_int("onesided", 1));
  if (onesided != 0 && onesided != 1) {
    return invalid_argument("onesided must be 0 or 1, got " + std::to_string(onesided));
  }
  return exec::make_kernel<StftKernel>(onesided == 1);
}

MH_REGISTER_CPU_KERNEL(STFT, 17, exec::kMaxOpset, make_stft);

}  // namespace
}  // namespace modelhost::engine::cpu

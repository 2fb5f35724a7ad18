// RNN (opset 7..24): inputs X, W, R, [B, sequence_lens, initial_h], outputs [Y, Y_h]:
//   Ht = f(Xt Wi^T + Ht-1 Ri^T + Wbi + Rbi)
// forward / reverse / bidirectional, layout 0 and 1 (opset 14), clip, custom activation
// (default Tanh). float32 and float64. The shared machinery is in rnn_util.h.
#include "engine/cpu/gemm_core.h"
#include "engine/cpu/rnn_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class RnnKernel final : public exec::Kernel {
 public:
  explicit RnnKernel(RnnAttributes attrs) : attrs_(std::move(attrs)) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    std::vector<int64_t> lengths;
    ASSIGN_OR_RETURN(RnnDims d, check_rnn_inputs(attrs_, 1, inputs, &lengths, "RNN"));
    if (inputs[0]->dtype() == DataType::kFloat64)
      return run<double>(ctx, inputs, outputs, d, lengths);
    return run<float>(ctx, inputs, outputs, d, lengths);
  }

 private:
  template <typename T>
  Status run(const exec::KernelContext& ctx, std::span<const Tensor* const> in,
             std::span<Tensor> outputs, const RnnDims& d,
             const std::vector<int64_t>& lengths) const {
    const int64_t H = d.hidden, batch = d.batch;
    const DataType dt = in[0]->dtype();
    const std::vector<T> x = rnn_time_major_input<T>(*in[0], d, attrs_.layout);
    const Tensor* bias = in.size() > 3 ? in[3] : nullptr;
    std::vector<T> h = rnn_initial_state<T>(in.size() > 5 ? in[5] : nullptr, d, attrs_.layout);
    std::vector<T> y(static_cast<size_t>(d.seq * d.dirs * batch * H), T(0));
    std::vector<T> xw(static_cast<size_t>(d.seq * batch * H));
    std::vector<T> gates(static_cast<size_t>(batch * H));

    for (int64_t dir = 0; dir < d.dirs; ++dir) {
      const bool reverse = attrs_.direction == RnnDirection::kReverse || dir == 1;
      const RnnActivation& fa = attrs_.activations[static_cast<size_t>(dir)];
      const T* w = in[1]->data<T>() + dir * H * d.input;
      const T* r = in[2]->data<T>() + dir * H * H;
      const T* wb = bias ? bias->data<T>() + dir * 2 * H : nullptr;
      for (int64_t row = 0; row < d.seq * batch; ++row) {
        T* dst = xw.data() + row * H;
        for (int64_t j = 0; j < H; ++j) dst[j] = wb ? wb[j] + wb[H + j] : T(0);
      }
      gemm_accumulate<T>({d.seq * batch, H, d.input, false, true}, T(1), x.data(), w, xw.data(),
                         ctx);
      T* hd = h.data() + dir * batch * H;
      for (int64_t s = 0; s < d.seq; ++s) {
        std::fill(gates.begin(), gates.end(), T(0));
        gemm_accumulate<T>({batch, H, H, false, true}, T(1), hd, r, gates.data(), ctx);
        for (int64_t b = 0; b < batch; ++b) {
          const int64_t t = rnn_step_time(reverse, s, lengths[static_cast<size_t>(b)]);
          if (t < 0) continue;
          const T* xg = xw.data() + (t * batch + b) * H;
          const T* g = gates.data() + b * H;
          T* hb = hd + b * H;
          for (int64_t j = 0; j < H; ++j) hb[j] = fa(rnn_clip(g[j] + xg[j], attrs_.clip));
          std::copy_n(hb, H, y.data() + ((t * d.dirs + dir) * batch + b) * H);
        }
      }
    }
    if (outputs.size() > 0) outputs[0] = rnn_output_sequence(y, d, attrs_.layout, dt);
    if (outputs.size() > 1) outputs[1] = rnn_output_state(h, d, attrs_.layout, dt);
    return Status::ok_status();
  }

  RnnAttributes attrs_;
};

Result<std::unique_ptr<exec::Kernel>> make_rnn(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 3, 6, 2));
  if (node.opset >= 14) {
    RETURN_IF_ERROR(
        exec::check_attributes(node, {"activation_alpha", "activation_beta", "activations", "clip",
                                      "direction", "hidden_size", "layout"}));
  } else {
    RETURN_IF_ERROR(
        exec::check_attributes(node, {"activation_alpha", "activation_beta", "activations", "clip",
                                      "direction", "hidden_size"}));
  }
  ASSIGN_OR_RETURN(RnnAttributes attrs, parse_rnn_attributes(node, {"Tanh"}));
  return exec::make_kernel<RnnKernel>(std::move(attrs));
}

MH_REGISTER_CPU_KERNEL(RNN, 7, exec::kMaxOpset, make_rnn);

}  // namespace
}  // namespace modelhost::engine::cpu

// LSTM (opset 7..24): inputs X, W, R, [B, sequence_lens, initial_h, initial_c, P], outputs
// [Y, Y_h, Y_c]. Gates in ONNX order i, o, f, c:
//   i = f(Xt Wi^T + Ht-1 Ri^T + Pi . Ct-1 + Wbi + Rbi)
//   f = f(Xt Wf^T + Ht-1 Rf^T + Pf . Ct-1 + Wbf + Rbf)    (1 - i with input_forget)
//   c = g(Xt Wc^T + Ht-1 Rc^T + Wbc + Rbc)
//   Ct = f . Ct-1 + i . c
//   o = f(Xt Wo^T + Ht-1 Ro^T + Po . Ct + Wbo + Rbo)
//   Ht = o . h(Ct)
// forward / reverse / bidirectional, layout 0 and 1 (opset 14), clip, custom activations.
// float32 and float64. The shared machinery is in rnn_util.h.
#include "engine/cpu/gemm_core.h"
#include "engine/cpu/rnn_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class LstmKernel final : public exec::Kernel {
 public:
  LstmKernel(RnnAttributes attrs, bool input_forget)
      : attrs_(std::move(attrs)), input_forget_(input_forget) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    std::vector<int64_t> lengths;
    ASSIGN_OR_RETURN(RnnDims d, check_rnn_inputs(attrs_, 4, inputs, &lengths, "LSTM"));
    if (inputs[0]->dtype() == DataType::kFloat64)
      return run<double>(ctx, inputs, outputs, d, lengths);
    return run<float>(ctx, inputs, outputs, d, lengths);
  }

 private:
  template <typename T>
  Status run(const exec::KernelContext& ctx, std::span<const Tensor* const> in,
             std::span<Tensor> outputs, const RnnDims& d,
             const std::vector<int64_t>& lengths) const {
    const int64_t H = d.hidden, G = 4 * H, batch = d.batch;
    const DataType dt = in[0]->dtype();
    const std::vector<T> x = rnn_time_major_input<T>(*in[0], d, attrs_.layout);
    const Tensor* bias = in.size() > 3 ? in[3] : nullptr;
    const Tensor* peep = in.size() > 7 ? in[7] : nullptr;
    std::vector<T> h = rnn_initial_state<T>(in.size() > 5 ? in[5] : nullptr, d, attrs_.layout);
    std::vector<T> c = rnn_initial_state<T>(in.size() > 6 ? in[6] : nullptr, d, attrs_.layout);
    std::vector<T> y(static_cast<size_t>(d.seq * d.dirs * batch * H), T(0));
    std::vector<T> xw(static_cast<size_t>(d.seq * batch * G));
    std::vector<T> gates(static_cast<size_t>(batch * G));
    const std::vector<T> zeros(static_cast<size_t>(3 * H), T(0));

    for (int64_t dir = 0; dir < d.dirs; ++dir) {
      const bool reverse = attrs_.direction == RnnDirection::kReverse || dir == 1;
      const RnnActivation& fa = attrs_.activations[static_cast<size_t>(dir * 3)];
      const RnnActivation& ga = attrs_.activations[static_cast<size_t>(dir * 3 + 1)];
      const RnnActivation& ha = attrs_.activations[static_cast<size_t>(dir * 3 + 2)];
      const T* w = in[1]->data<T>() + dir * G * d.input;
      const T* r = in[2]->data<T>() + dir * G * H;
      const T* p = peep ? peep->data<T>() + dir * 3 * H : zeros.data();
      const T* pi = p;
      const T* po = p + H;
      const T* pf = p + 2 * H;
      // Input projection for every step at once, biases folded in.
      for (int64_t row = 0; row < d.seq * batch; ++row) {
        T* dst = xw.data() + row * G;
        if (bias) {
          const T* wb = bias->data<T>() + dir * 2 * G;
          for (int64_t j = 0; j < G; ++j) dst[j] = wb[j] + wb[G + j];
        } else {
          std::fill(dst, dst + G, T(0));
        }
      }
      gemm_accumulate<T>({d.seq * batch, G, d.input, false, true}, T(1), x.data(), w, xw.data(),
                         ctx);
      T* hd = h.data() + dir * batch * H;
      T* cd = c.data() + dir * batch * H;
      for (int64_t s = 0; s < d.seq; ++s) {
        for (int64_t b = 0; b < batch; ++b) {
          const int64_t t = rnn_step_time(reverse, s, lengths[static_cast<size_t>(b)]);
          T* g = gates.data() + b * G;
          if (t < 0) {
            std::fill(g, g + G, T(0));
          } else {
            std::copy_n(xw.data() + (t * batch + b) * G, G, g);
          }
        }
        gemm_accumulate<T>({batch, G, H, false, true}, T(1), hd, r, gates.data(), ctx);
        for (int64_t b = 0; b < batch; ++b) {
          const int64_t t = rnn_step_time(reverse, s, lengths[static_cast<size_t>(b)]);
          if (t < 0) continue;
          T* g = gates.data() + b * G;
          T* hb = hd + b * H;
          T* cb = cd + b * H;
          for (int64_t j = 0; j < H; ++j) {
            const T i_gate = fa(rnn_clip(g[j] + pi[j] * cb[j], attrs_.clip));
            const T f_gate = input_forget_
                                 ? T(1) - i_gate
                                 : fa(rnn_clip(g[2 * H + j] + pf[j] * cb[j], attrs_.clip));
            const T cand = ga(rnn_clip(g[3 * H + j], attrs_.clip));
            const T c_new = f_gate * cb[j] + i_gate * cand;
            const T o_gate = fa(rnn_clip(g[H + j] + po[j] * c_new, attrs_.clip));
            cb[j] = c_new;
            hb[j] = o_gate * ha(c_new);
          }
          std::copy_n(hb, H, y.data() + ((t * d.dirs + dir) * batch + b) * H);
        }
      }
    }
    if (outputs.size() > 0) outputs[0] = rnn_output_sequence(y, d, attrs_.layout, dt);
    if (outputs.size() > 1) outputs[1] = rnn_output_state(h, d, attrs_.layout, dt);
    if (outputs.size() > 2) outputs[2] = rnn_output_state(c, d, attrs_.layout, dt);
    return Status::ok_status();
  }

  RnnAttributes attrs_;
  bool input_forget_;
};

Result<std::unique_ptr<exec::Kernel>> make_lstm(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 3, 8, 3));
  if (node.opset >= 14) {
    RETURN_IF_ERROR(
        exec::check_attributes(node, {"activation_alpha", "activation_beta", "activations", "clip",
                                      "direction", "hidden_size", "input_forget", "layout"}));
  } else {
    RETURN_IF_ERROR(
        exec::check_attributes(node, {"activation_alpha", "activation_beta", "activations", "clip",
                                      "direction", "hidden_size", "input_forget"}));
  }
  ASSIGN_OR_RETURN(RnnAttributes attrs, parse_rnn_attributes(node, {"Sigmoid", "Tanh", "Tanh"}));
  ASSIGN_OR_RETURN(int64_t input_forget, node.attributes.get_int("input_forget", 0));
  return exec::make_kernel<LstmKernel>(std::move(attrs), input_forget != 0);
}

MH_REGISTER_CPU_KERNEL(LSTM, 7, exec::kMaxOpset, make_lstm);

}  // namespace
}  // namespace modelhost::engine::cpu

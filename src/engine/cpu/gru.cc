// GRU (opset 7..24): inputs X, W, R, [B, sequence_lens, initial_h], outputs [Y, Y_h]. Gates in
// ONNX order z, r, h:
//   z = f(Xt Wz^T + Ht-1 Rz^T + Wbz + Rbz)
//   r = f(Xt Wr^T + Ht-1 Rr^T + Wbr + Rbr)
//   h = g(Xt Wh^T + (r . Ht-1) Rh^T + Rbh + Wbh)        linear_before_reset = 0
//   h = g(Xt Wh^T + r . (Ht-1 Rh^T + Rbh) + Wbh)        linear_before_reset != 0
//   Ht = (1 - z) . h + z . Ht-1
// forward / reverse / bidirectional, layout 0 and 1 (opset 14), clip, custom activations.
// float32 and float64. The shared machinery is in rnn_util.h.
#include "engine/cpu/gemm_core.h"
#include "engine/cpu/rnn_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

class GruKernel final : public exec::Kernel {
 public:
  GruKernel(RnnAttributes attrs, bool linear_before_reset)
      : attrs_(std::move(attrs)), linear_before_reset_(linear_before_reset) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    std::vector<int64_t> lengths;
    ASSIGN_OR_RETURN(RnnDims d, check_rnn_inputs(attrs_, 3, inputs, &lengths, "GRU"));
    if (inputs[0]->dtype() == DataType::kFloat64)
      return run<double>(ctx, inputs, outputs, d, lengths);
    return run<float>(ctx, inputs, outputs, d, lengths);
  }

 private:
  template <typename T>
  Status run(const exec::KernelContext& ctx, std::span<const Tensor* const> in,
             std::span<Tensor> outputs, const RnnDims& d,
             const std::vector<int64_t>& lengths) const {
    const int64_t H = d.hidden, G = 3 * H, batch = d.batch;
    const DataType dt = in[0]->dtype();
    const std::vector<T> x = rnn_time_major_input<T>(*in[0], d, attrs_.layout);
    const Tensor* bias = in.size() > 3 ? in[3] : nullptr;
    std::vector<T> h = rnn_initial_state<T>(in.size() > 5 ? in[5] : nullptr, d, attrs_.layout);
    std::vector<T> y(static_cast<size_t>(d.seq * d.dirs * batch * H), T(0));
    std::vector<T> xw(static_cast<size_t>(d.seq * batch * G));
    std::vector<T> zr(static_cast<size_t>(batch * 2 * H));  // z, r pre-activations
    std::vector<T> hr(static_cast<size_t>(batch * H));      // the recurrent part of h
    std::vector<T> rh(static_cast<size_t>(batch * H));      // r . Ht-1
    std::vector<T> rbh(static_cast<size_t>(H), T(0));

    for (int64_t dir = 0; dir < d.dirs; ++dir) {
      const bool reverse = attrs_.direction == RnnDirection::kReverse || dir == 1;
      const RnnActivation& fa = attrs_.activations[static_cast<size_t>(dir * 2)];
      const RnnActivation& ga = attrs_.activations[static_cast<size_t>(dir * 2 + 1)];
      const T* w = in[1]->data<T>() + dir * G * d.input;
      const T* r = in[2]->data<T>() + dir * G * H;
      const T* r_h = r + 2 * H * H;  // rows of Rh
      // Input projection with Wb (all gates) and Rb (z, r) folded in; Rbh stays apart.
      const T* wb = bias ? bias->data<T>() + dir * 2 * G : nullptr;
      for (int64_t row = 0; row < d.seq * batch; ++row) {
        T* dst = xw.data() + row * G;
        for (int64_t j = 0; j < G; ++j) {
          dst[j] = wb ? wb[j] + (j < 2 * H ? wb[G + j] : T(0)) : T(0);
        }
      }
      for (int64_t j = 0; j < H; ++j) rbh[static_cast<size_t>(j)] = wb ? wb[G + 2 * H + j] : T(0);
      gemm_accumulate<T>({d.seq * batch, G, d.input, false, true}, T(1), x.data(), w, xw.data(),
                         ctx);
      T* hd = h.data() + dir * batch * H;
      for (int64_t s = 0; s < d.seq; ++s) {
        std::fill(zr.begin(), zr.end(), T(0));
        gemm_accumulate<T>({batch, 2 * H, H, false, true}, T(1), hd, r, zr.data(), ctx);
        std::fill(hr.begin(), hr.end(), T(0));
        if (linear_before_reset_) {
          gemm_accumulate<T>({batch, H, H, false, true}, T(1), hd, r_h, hr.data(), ctx);
        }
        // z and r for every row first: the default variant needs r . Ht-1 before its GEMM.
        for (int64_t b = 0; b < batch; ++b) {
          const int64_t t = rnn_step_time(reverse, s, lengths[static_cast<size_t>(b)]);
          if (t < 0) continue;
          const T* xg = xw.data() + (t * batch + b) * G;
          T* g = zr.data() + b * 2 * H;
          for (int64_t j = 0; j < 2 * H; ++j) g[j] = fa(rnn_clip(g[j] + xg[j], attrs_.clip));
          if (!linear_before_reset_) {
            for (int64_t j = 0; j < H; ++j) rh[b * H + j] = g[H + j] * hd[b * H + j];
          }
        }
        if (!linear_before_reset_) {
          gemm_accumulate<T>({batch, H, H, false, true}, T(1), rh.data(), r_h, hr.data(), ctx);
        }
        for (int64_t b = 0; b < batch; ++b) {
          const int64_t t = rnn_step_time(reverse, s, lengths[static_cast<size_t>(b)]);
          if (t < 0) continue;
          const T* xg = xw.data() + (t * batch + b) * G;
          const T* g = zr.data() + b * 2 * H;
          T* hb = hd + b * H;
          for (int64_t j = 0; j < H; ++j) {
            const T z = g[j], rg = g[H + j];
            const T rec =
                linear_before_reset_ ? rg * (hr[b * H + j] + rbh[j]) : hr[b * H + j] + rbh[j];
            const T cand = ga(rnn_clip(xg[2 * H + j] + rec, attrs_.clip));
            hb[j] = (T(1) - z) * cand + z * hb[j];
          }
          std::copy_n(hb, H, y.data() + ((t * d.dirs + dir) * batch + b) * H);
        }
      }
    }
    if (outputs.size() > 0) outputs[0] = rnn_output_sequence(y, d, attrs_.layout, dt);
    if (outputs.size() > 1) outputs[1] = rnn_output_state(h, d, attrs_.layout, dt);
    return Status::ok_status();
  }

  RnnAttributes attrs_;
  bool linear_before_reset_;
};

Result<std::unique_ptr<exec::Kernel>> make_gru(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 3, 6, 2));
  if (node.opset >= 14) {
    RETURN_IF_ERROR(exec::check_attributes(
        node, {"activation_alpha", "activation_beta", "activations", "clip", "direction",
               "hidden_size", "linear_before_reset", "layout"}));
  } else {
    RETURN_IF_ERROR(
        exec::check_attributes(node, {"activation_alpha", "activation_beta", "activations", "clip",
                                      "direction", "hidden_size", "linear_before_reset"}));
  }
  ASSIGN_OR_RETURN(RnnAttributes attrs, parse_rnn_attributes(node, {"Sigmoid", "Tanh"}));
  ASSIGN_OR_RETURN(int64_t lbr, node.attributes.get_int("linear_before_reset", 0));
  return exec::make_kernel<GruKernel>(std::move(attrs), lbr != 0);
}

MH_REGISTER_CPU_KERNEL(GRU, 7, exec::kMaxOpset, make_gru);

}  // namespace
}  // namespace modelhost::engine::cpu

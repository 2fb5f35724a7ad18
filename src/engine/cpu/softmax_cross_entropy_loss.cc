// SoftmaxCrossEntropyLoss (opset 12+): log_softmax over the class dim of scores [N, C, d1, ...,
// dk], then the loss of loss_util.h. The optional second output is that log_softmax (input shape).
// float32 and float64; float16 / bfloat16 in float32.
#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/cpu/elementwise.h"
#include "engine/cpu/loss_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

constexpr const char* kOp = "SoftmaxCrossEntropyLoss";

// logp[n, :, d] = log_softmax(x[n, :, d]), computed in double.
template <typename T>
void log_softmax_classes(const T* x, T* logp, const LossShape& s, const exec::KernelContext& ctx) {
  exec::parallel_for(ctx, s.n * s.d, std::max<int64_t>(1, 4096 / std::max<int64_t>(s.c, 1)),
                     [&](int64_t v0, int64_t v1) {
                       for (int64_t v = v0; v < v1; ++v) {
                         const int64_t base = (v / s.d) * s.c * s.d + (v % s.d);
                         double mx = -std::numeric_limits<double>::infinity();
                         for (int64_t c = 0; c < s.c; ++c) {
                           mx = std::max(mx, static_cast<double>(x[base + c * s.d]));
                         }
                         double sum = 0.0;
                         for (int64_t c = 0; c < s.c; ++c) {
                           sum += std::exp(static_cast<double>(x[base + c * s.d]) - mx);
                         }
                         const double lse = mx + std::log(sum);
                         for (int64_t c = 0; c < s.c; ++c) {
                           logp[base + c * s.d] =
                               static_cast<T>(static_cast<double>(x[base + c * s.d]) - lse);
                         }
                       }
                     });
}

class SceLossKernel final : public exec::Kernel {
 public:
  explicit SceLossKernel(LossConfig cfg) : cfg_(cfg) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& target = *inputs[1];
    const Tensor* weight = inputs.size() > 2 ? inputs[2] : nullptr;
    RETURN_IF_ERROR(exec::check_dtype(
        x, 0, kOp,
        {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kBFloat16}));
    ASSIGN_OR_RETURN(LossShape s, check_loss_shapes(x, target, weight, kOp));
    switch (x.dtype()) {
      case DataType::kFloat32:
        return run<float>(ctx, x, s, target, weight, outputs);
      case DataType::kFloat64:
        return run<double>(ctx, x, s, target, weight, outputs);
      default: {
        ASSIGN_OR_RETURN(Tensor fx, half_to_float32(ctx, x));
        Tensor fw;
        if (weight != nullptr) {
          ASSIGN_OR_RETURN(fw, half_to_float32(ctx, *weight));
        }
        RETURN_IF_ERROR(run<float>(ctx, fx, s, target, weight ? &fw : nullptr, outputs));
        for (Tensor& out : outputs) {
          ASSIGN_OR_RETURN(out, float32_to_half(ctx, out, x.dtype()));
        }
        return Status::ok_status();
      }
    }
  }

 private:
  template <typename T>
  Status run(const exec::KernelContext& ctx, const Tensor& x, const LossShape& s,
             const Tensor& target, const Tensor* weight, std::span<Tensor> outputs) const {
    Tensor logp = Tensor::allocate(x.dtype(), x.shape());
    if (x.num_elements() > 0) log_softmax_classes(x.data<T>(), logp.mutable_data<T>(), s, ctx);
    RETURN_IF_ERROR(nll_from_log_prob(logp.data<T>(), s, target,
                                      weight ? weight->data<T>() : nullptr, cfg_, outputs[0]));
    if (outputs.size() > 1) outputs[1] = std::move(logp);
    return Status::ok_status();
  }

  LossConfig cfg_;
};

Result<std::unique_ptr<exec::Kernel>> make_sce_loss(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 3, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {"reduction", "ignore_index"}));
  ASSIGN_OR_RETURN(LossConfig cfg, parse_loss_config(node));
  return exec::make_kernel<SceLossKernel>(cfg);
}

MH_REGISTER_CPU_KERNEL(SoftmaxCrossEntropyLoss, 12, exec::kMaxOpset, make_sce_loss);

}  // namespace
}  // namespace modelhost::engine::cpu

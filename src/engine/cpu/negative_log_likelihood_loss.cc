// NegativeLogLikelihoodLoss (opset 12+): the loss of loss_util.h over an input that already holds
// log-probabilities [N, C, d1, ..., dk]. float32 and float64; float16 / bfloat16 in float32.
#include "engine/cpu/elementwise.h"
#include "engine/cpu/loss_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

constexpr const char* kOp = "NegativeLogLikelihoodLoss";

class NllLossKernel final : public exec::Kernel {
 public:
  explicit NllLossKernel(LossConfig cfg) : cfg_(cfg) {}

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
        return nll_from_log_prob(x.data<float>(), s, target,
                                 weight ? weight->data<float>() : nullptr, cfg_, outputs[0]);
      case DataType::kFloat64:
        return nll_from_log_prob(x.data<double>(), s, target,
                                 weight ? weight->data<double>() : nullptr, cfg_, outputs[0]);
      default: {
        ASSIGN_OR_RETURN(Tensor fx, half_to_float32(ctx, x));
        Tensor fw;
        if (weight != nullptr) {
          ASSIGN_OR_RETURN(fw, half_to_float32(ctx, *weight));
        }
        Tensor loss;
        RETURN_IF_ERROR(nll_from_log_prob(fx.data<float>(), s, target,
                                          weight ? fw.data<float>() : nullptr, cfg_, loss));
        ASSIGN_OR_RETURN(outputs[0], float32_to_half(ctx, loss, x.dtype()));
        return Status::ok_status();
      }
    }
  }

 private:
  LossConfig cfg_;
};

Result<std::unique_ptr<exec::Kernel>> make_nll_loss(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 3, 1));
  RETURN_IF_ERROR(exec::check_attributes(node, {"reduction", "ignore_index"}));
  ASSIGN_OR_RETURN(LossConfig cfg, parse_loss_config(node));
  return exec::make_kernel<NllLossKernel>(cfg);
}

MH_REGISTER_CPU_KERNEL(NegativeLogLikelihoodLoss, 12, exec::kMaxOpset, make_nll_loss);

}  // namespace
}  // namespace modelhost::engine::cpu

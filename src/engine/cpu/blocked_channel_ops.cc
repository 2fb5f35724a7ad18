// Squeeze-and-excitation on blocked activations (com.modelhost, opset 1; created by
// opt/conv_layout.cc, never in a model). X is a float32 [N, C, H, W] tensor held in oneDNN's
// nChw8c layout (C a multiple of 8): element (n, c, h, w) at ((n * C/8 + c/8) * H*W + h*W + w) * 8
// + c%8.
//
// BlockedGlobalAveragePool(X) -> Y [N, C, 1, 1]: the mean over H, W. With H = W = 1 the blocked
// and plain layouts coincide, so Y is an ordinary tensor.
// BlockedChannelScale(X, S) -> Y: X * S with S of [N, C, 1, 1] or [1, C, 1, 1] (broadcast over
// the batch), Y blocked like X; over X's buffer when the executor donates it.
// Both sit between oneDNN convolutions, so they run on its OpenMP team (cpu/dnnl_threads.h).
#include <string>

#include "engine/cpu/dnnl_threads.h"
#include "engine/cpu/elementwise.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

constexpr int64_t kBlock = 8;

struct BlockedDims {
  int64_t n, c, hw;
};

Result<BlockedDims> blocked_dims(const Tensor& x, std::string_view op) {
  if (x.dtype() != DataType::kFloat32 || x.rank() != 4 || x.shape()[1] % kBlock != 0) {
    return invalid_argument(std::string(op) +
                            " needs a float32 [N,C,H,W] input with C a multiple of 8, got " +
                            std::string(dtype_name(x.dtype())) + " " + shape_to_string(x.shape()));
  }
  return BlockedDims{x.shape()[0], x.shape()[1], x.shape()[2] * x.shape()[3]};
}

class BlockedGlobalAveragePoolKernel final : public exec::Kernel {
 public:
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    ASSIGN_OR_RETURN(const BlockedDims d, blocked_dims(x, "BlockedGlobalAveragePool"));
    Tensor y = allocate_uninitialized(DataType::kFloat32, {d.n, d.c, 1, 1});
    const float* px = x.data<float>();
    float* py = y.mutable_data<float>();
    const float inv = d.hw > 0 ? 1.0f / static_cast<float>(d.hw) : 0.0f;
    // One task per block of 8 channels of one sample: 8 running sums, one vector register.
    omp_parallel_for(ctx, d.n * (d.c / kBlock), std::max<int64_t>(1, 4096 / (d.hw + 1)),
                     [&](int64_t b0, int64_t b1) {
                       for (int64_t b = b0; b < b1; ++b) {
                         const float* p = px + b * d.hw * kBlock;
                         float acc[kBlock] = {};
                         for (int64_t i = 0; i < d.hw; ++i) {
#pragma omp simd
                           for (int64_t k = 0; k < kBlock; ++k) acc[k] += p[i * kBlock + k];
                         }
                         for (int64_t k = 0; k < kBlock; ++k) py[b * kBlock + k] = acc[k] * inv;
                       }
                     });
    outputs[0] = std::move(y);
    return Status::ok_status();
  }
};

class BlockedChannelScaleKernel final : public exec::Kernel {
 public:
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& s = *inputs[1];
    ASSIGN_OR_RETURN(const BlockedDims d, blocked_dims(x, "BlockedChannelScale"));
    const bool per_sample = s.num_elements() == d.n * d.c;
    if (s.dtype() != DataType::kFloat32 || (!per_sample && s.num_elements() != d.c)) {
      return invalid_argument("BlockedChannelScale: scale " + std::string(dtype_name(s.dtype())) +
                              " " + shape_to_string(s.shape()) + " does not match x " +
                              shape_to_string(x.shape()));
    }
    Tensor y = output_over(outputs[0], x, DataType::kFloat32, x.shape());
    const float* px = x.data<float>();
    const float* ps = s.data<float>();
    float* py = y.mutable_data<float>();
    const int64_t blocks = d.c / kBlock;
    omp_parallel_for(
        ctx, d.n * blocks, std::max<int64_t>(1, 4096 / (d.hw + 1)), [&](int64_t b0, int64_t b1) {
          for (int64_t b = b0; b < b1; ++b) {
            const int64_t n = b / blocks;
            const float* scale = ps + (per_sample ? n * d.c : 0) + (b % blocks) * kBlock;
            const float* p = px + b * d.hw * kBlock;
            float* q = py + b * d.hw * kBlock;
            for (int64_t i = 0; i < d.hw; ++i) {
#pragma omp simd
              for (int64_t k = 0; k < kBlock; ++k) {
                q[i * kBlock + k] = p[i * kBlock + k] * scale[k];
              }
            }
          }
        });
    outputs[0] = std::move(y);
    return Status::ok_status();
  }
};

template <typename K, size_t kInputs>
Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, kInputs, kInputs));
  RETURN_IF_ERROR(exec::check_attributes(node, {}));
  return exec::make_kernel<K>();
}

MH_REGISTER_CPU_DOMAIN_KERNEL(ir::kModelhostDomain, BlockedGlobalAveragePool, 1, 1,
                              (make<BlockedGlobalAveragePoolKernel, 1>));
MH_REGISTER_CPU_DOMAIN_KERNEL(ir::kModelhostDomain, BlockedChannelScale, 1, 1,
                              (make<BlockedChannelScaleKernel, 2>));

}  // namespace
}  // namespace modelhost::engine::cpu

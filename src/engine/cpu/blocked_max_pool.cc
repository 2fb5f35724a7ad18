// BlockedMaxPool (com.modelhost, opset 1; created by opt/conv_layout.cc, never in a model):
// 2-D MaxPool over a float32 [N, C, H, W] tensor held in oneDNN's nChw8c layout (C a multiple of
// 8; see cpu/blocked_channel_ops.cc), the output blocked the same way. It takes MaxPool's
// kernel_shape, strides, pads, auto_pad, dilations and ceil_mode, and gives MaxPool's results:
// positions in the padding are skipped, and a window entirely in the padding gives 0.
//
// It lets the stem of a ResNet (conv 7x7, max pool 3x3 / 2, conv) stay blocked: the plain
// MaxPool between them cost a reorder on each side and ran on the intra-op pool right after an
// OpenMP primitive. Here each task is one output row of one block of 8 channels, eight maxima in
// one vector register, on oneDNN's OpenMP team.
#include <algorithm>
#include <limits>
#include <string>

#include "engine/cpu/dnnl_threads.h"
#include "engine/cpu/pool_util.h"
#include "engine/exec/kernel_registry.h"
#include "engine/ir/tensor_alloc.h"

namespace modelhost::engine::cpu {
namespace {

constexpr int64_t kBlock = 8;

class BlockedMaxPoolKernel final : public exec::Kernel {
 public:
  explicit BlockedMaxPoolKernel(WindowAttrs attrs) : attrs_(std::move(attrs)) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    if (x.dtype() != DataType::kFloat32 || x.rank() != 4 || x.shape()[1] % kBlock != 0) {
      return invalid_argument(
          "BlockedMaxPool needs a float32 [N,C,H,W] input with C a multiple of 8, got " +
          std::string(dtype_name(x.dtype())) + " " + shape_to_string(x.shape()));
    }
    const std::span<const int64_t> spatial(x.shape().data() + 2, 2);
    ASSIGN_OR_RETURN(const Geometry3 g, resolve_geometry(attrs_, spatial, attrs_.kernel));
    const int64_t n = x.shape()[0], c = x.shape()[1], h = g.in[1], w = g.in[2];
    const int64_t oh = g.out[1], ow = g.out[2];
    Tensor y = allocate_uninitialized(DataType::kFloat32, {n, c, oh, ow});
    const float* px = x.data<float>();
    float* py = y.mutable_data<float>();
    const int64_t blocks = n * (c / kBlock);
    omp_parallel_for(ctx, blocks * oh, std::max<int64_t>(1, 2048 / (ow * g.kernel[1] + 1)),
                     [&](int64_t r0, int64_t r1) {
                       for (int64_t r = r0; r < r1; ++r) {
                         const int64_t b = r / oh, o = r % oh;
                         row(px + b * h * w * kBlock, py + (b * oh + o) * ow * kBlock, o, g);
                       }
                     });
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  // Output row `o` of one block: xb is the block's [H, W, 8] input, yr the row's [OW, 8] output.
  static void row(const float* xb, float* yr, int64_t o, const Geometry3& g) {
    const int64_t h = g.in[1], w = g.in[2];
    for (int64_t j = 0; j < g.out[2]; ++j) {
      float acc[kBlock];
      std::fill(acc, acc + kBlock, -std::numeric_limits<float>::infinity());
      bool any = false;
      for (int64_t ki = 0; ki < g.kernel[1]; ++ki) {
        const int64_t i = o * g.stride[1] - g.pad_begin[1] + ki * g.dilation[1];
        if (i < 0 || i >= h) continue;
        for (int64_t kj = 0; kj < g.kernel[2]; ++kj) {
          const int64_t jj = j * g.stride[2] - g.pad_begin[2] + kj * g.dilation[2];
          if (jj < 0 || jj >= w) continue;
          any = true;
          const float* p = xb + (i * w + jj) * kBlock;
#pragma omp simd
          for (int64_t k = 0; k < kBlock; ++k) acc[k] = std::max(acc[k], p[k]);
        }
      }
      for (int64_t k = 0; k < kBlock; ++k) yr[j * kBlock + k] = any ? acc[k] : 0.f;
    }
  }

  WindowAttrs attrs_;
};

Result<std::unique_ptr<exec::Kernel>> make(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 1, 1));
  RETURN_IF_ERROR(exec::check_attributes(
      node, {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "strides"}));
  ASSIGN_OR_RETURN(WindowAttrs attrs, parse_window_attrs(node, /*kernel_required=*/true));
  if (attrs.kernel.size() != 2) {
    return invalid_argument("BlockedMaxPool needs a 2-D kernel_shape, got " +
                            std::to_string(attrs.kernel.size()) + " dims");
  }
  return exec::make_kernel<BlockedMaxPoolKernel>(std::move(attrs));
}

MH_REGISTER_CPU_DOMAIN_KERNEL(ir::kModelhostDomain, BlockedMaxPool, 1, 1, make);

}  // namespace
}  // namespace modelhost::engine::cpu

// Col2Im (opset 18+): the inverse of im2col. Input [N, C * prod(block_shape), L] holds, for each of
// the L sliding-block positions, the block's C * prod(block_shape) values; they are added back
// into an image [N, C, *image_shape] (overlaps sum). Attributes dilations, pads (begin..., end...)
// and strides as in Conv. float32 and float64; float16 / bfloat16 in float32.
#include <string>
#include <vector>

#include "engine/cpu/elementwise.h"
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

struct Col2ImGeometry {
  std::vector<int64_t> image, block, dilations, pads, strides, blocks_per_dim;
  int64_t n = 0, c = 0, block_size = 1, num_blocks = 1, image_size = 1;
};

template <typename T>
void col2im(const T* in, T* out, const Col2ImGeometry& g) {
  const size_t nd = g.image.size();
  std::vector<int64_t> kb(nd), lb(nd);
  for (int64_t n = 0; n < g.n; ++n) {
    for (int64_t c = 0; c < g.c; ++c) {
      T* img = out + (n * g.c + c) * g.image_size;
      for (int64_t k = 0; k < g.block_size; ++k) {
        int64_t rem = k;
        for (size_t d = nd; d-- > 0;) {
          kb[d] = rem % g.block[d];
          rem /= g.block[d];
        }
        const T* col = in + ((n * g.c + c) * g.block_size + k) * g.num_blocks;
        for (int64_t l = 0; l < g.num_blocks; ++l) {
          int64_t r = l, off = 0;
          bool inside = true;
          for (size_t d = nd; d-- > 0;) {
            lb[d] = r % g.blocks_per_dim[d];
            r /= g.blocks_per_dim[d];
          }
          for (size_t d = 0; d < nd; ++d) {
            const int64_t x = lb[d] * g.strides[d] - g.pads[d] + kb[d] * g.dilations[d];
            if (x < 0 || x >= g.image[d]) {
              inside = false;
              break;
            }
            off = off * g.image[d] + x;
          }
          if (inside) img[off] += col[l];
        }
      }
    }
  }
}

class Col2ImKernel final : public exec::Kernel {
 public:
  Col2ImKernel(std::vector<int64_t> dilations, std::vector<int64_t> pads,
               std::vector<int64_t> strides)
      : dilations_(std::move(dilations)), pads_(std::move(pads)), strides_(std::move(strides)) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    RETURN_IF_ERROR(exec::check_dtype(
        x, 0, "Col2Im",
        {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kBFloat16}));
    Col2ImGeometry g;
    ASSIGN_OR_RETURN(g.image, read_int_tensor(*inputs[1], 1, "Col2Im"));
    ASSIGN_OR_RETURN(g.block, read_int_tensor(*inputs[2], 2, "Col2Im"));
    const size_t nd = g.image.size();
    if (g.block.size() != nd || nd == 0) {
      return invalid_argument("image_shape " + shape_to_string(g.image) + " and block_shape " +
                              shape_to_string(g.block) + " must have the same non-zero length");
    }
    g.dilations = dilations_.empty() ? std::vector<int64_t>(nd, 1) : dilations_;
    g.strides = strides_.empty() ? std::vector<int64_t>(nd, 1) : strides_;
    g.pads = pads_.empty() ? std::vector<int64_t>(2 * nd, 0) : pads_;
    if (g.dilations.size() != nd || g.strides.size() != nd || g.pads.size() != 2 * nd) {
      return invalid_argument("dilations, strides (" + std::to_string(nd) + " values) or pads (" +
                              std::to_string(2 * nd) + " values) do not match image_shape " +
                              shape_to_string(g.image));
    }
    for (size_t d = 0; d < nd; ++d) {
      if (g.image[d] <= 0 || g.block[d] <= 0 || g.dilations[d] <= 0 || g.strides[d] <= 0) {
        return invalid_argument("image_shape, block_shape, dilations and strides must be positive");
      }
      const int64_t span = g.dilations[d] * (g.block[d] - 1) + 1;
      const int64_t padded = g.image[d] + g.pads[d] + g.pads[d + nd];
      if (padded < span) {
        return invalid_argument("block dim " + std::to_string(d) + " spans " +
                                std::to_string(span) + " but the padded image has only " +
                                std::to_string(padded));
      }
      g.blocks_per_dim.push_back((padded - span) / g.strides[d] + 1);
      g.block_size *= g.block[d];
      g.num_blocks *= g.blocks_per_dim.back();
    }
    if (x.rank() != 3 || x.shape()[1] % g.block_size != 0 || x.shape()[2] != g.num_blocks) {
      return invalid_argument("input " + shape_to_string(x.shape()) + " must be [N, C * " +
                              std::to_string(g.block_size) + ", " + std::to_string(g.num_blocks) +
                              "] for these image and block shapes");
    }
    g.n = x.shape()[0];
    g.c = x.shape()[1] / g.block_size;
    Shape out_shape{g.n, g.c};
    out_shape.insert(out_shape.end(), g.image.begin(), g.image.end());
    RETURN_IF_ERROR(checked_num_elements(out_shape, sizeof(double)).status());
    for (int64_t d : g.image) g.image_size *= d;
    switch (x.dtype()) {
      case DataType::kFloat32:
        outputs[0] = run<float>(x, out_shape, g);
        return Status::ok_status();
      case DataType::kFloat64:
        outputs[0] = run<double>(x, out_shape, g);
        return Status::ok_status();
      default: {
        ASSIGN_OR_RETURN(Tensor fx, half_to_float32(ctx, x));
        ASSIGN_OR_RETURN(outputs[0], float32_to_half(ctx, run<float>(fx, out_shape, g), x.dtype()));
        return Status::ok_status();
      }
    }
  }

 private:
  template <typename T>
  static Tensor run(const Tensor& x, const Shape& out_shape, const Col2ImGeometry& g) {
    Tensor y = Tensor::allocate(x.dtype(), out_shape);
    col2im(x.data<T>(), y.mutable_data<T>(), g);
    return y;
  }

  std::vector<int64_t> dilations_, pads_, strides_;
};

Result<std::unique_ptr<exec::Kernel>> make_col2im(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 3, 3));
  RETURN_IF_ERROR(exec::check_attributes(node, {"dilations", "pads", "strides"}));
  ASSIGN_OR_RETURN(std::vector<int64_t> dilations, node.attributes.get_ints("dilations", {}));
  ASSIGN_OR_RETURN(std::vector<int64_t> pads, node.attributes.get_ints("pads", {}));
  ASSIGN_OR_RETURN(std::vector<int64_t> strides, node.attributes.get_ints("strides", {}));
  return exec::make_kernel<Col2ImKernel>(std::move(dilations), std::move(pads), std::move(strides));
}

MH_REGISTER_CPU_KERNEL(Col2Im, 18, exec::kMaxOpset, make_col2im);

}  // namespace
}  // namespace modelhost::engine::cpu

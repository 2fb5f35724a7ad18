// AffineGrid (opset 20+): the sampling grid of an affine transform, for GridSample. theta
// [N, 2, 3] with size [N, C, H, W] gives grid [N, H, W, 2]; theta [N, 3, 4] with size
// [N, C, D, H, W] gives [N, D, H, W, 3]. Each output point is theta x (x, y[, z], 1) where x runs
// along W, y along H, z along D over [-1, 1]: pixel centers (-1 + (2i + 1) / S) by default, the
// corner pixels exactly at -1 and 1 with align_corners = 1. float32 and float64; float16 /
// bfloat16 in float32.
#include <string>
#include <vector>

#include "engine/cpu/elementwise.h"
#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

double grid_coord(int64_t i, int64_t size, bool align_corners) {
  if (align_corners) {
    return size == 1 ? -1.0 : -1.0 + 2.0 * static_cast<double>(i) / static_cast<double>(size - 1);
  }
  return -1.0 + (2.0 * static_cast<double>(i) + 1.0) / static_cast<double>(size);
}

template <typename T>
Tensor affine_grid(const Tensor& theta, const std::vector<int64_t>& dims, int64_t n,
                   bool align_corners) {
  const size_t nd = dims.size();  // 2 (H, W) or 3 (D, H, W)
  Shape out_shape{n};
  out_shape.insert(out_shape.end(), dims.begin(), dims.end());
  out_shape.push_back(static_cast<int64_t>(nd));
  Tensor y = Tensor::allocate(theta.dtype(), out_shape);
  const T* th = theta.data<T>();
  T* o = y.mutable_data<T>();
  int64_t points = 1;
  for (int64_t d : dims) points *= d;
  std::vector<double> homo(nd + 1, 1.0);
  for (int64_t b = 0; b < n; ++b) {
    const T* m = th + b * static_cast<int64_t>(nd * (nd + 1));
    for (int64_t p = 0; p < points; ++p) {
      int64_t rem = p;
      // dims are outermost first (D, H, W); homo is (x, y[, z]) = innermost first.
      for (size_t d = nd; d-- > 0;) {
        homo[nd - 1 - d] = grid_coord(rem % dims[d], dims[d], align_corners);
        rem /= dims[d];
      }
      for (size_t r = 0; r < nd; ++r) {
        double acc = 0.0;
        for (size_t c = 0; c <= nd; ++c) acc += static_cast<double>(m[r * (nd + 1) + c]) * homo[c];
        o[(b * points + p) * static_cast<int64_t>(nd) + static_cast<int64_t>(r)] =
            static_cast<T>(acc);
      }
    }
  }
  return y;
}

class AffineGridKernel final : public exec::Kernel {
 public:
  explicit AffineGridKernel(bool align_corners) : align_corners_(align_corners) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& theta = *inputs[0];
    RETURN_IF_ERROR(exec::check_dtype(
        theta, 0, "AffineGrid",
        {DataType::kFloat32, DataType::kFloat64, DataType::kFloat16, DataType::kBFloat16}));
    ASSIGN_OR_RETURN(std::vector<int64_t> size, read_int_tensor(*inputs[1], 1, "AffineGrid"));
    if (size.size() != 4 && size.size() != 5) {
      return invalid_argument("size must be [N, C, H, W] or [N, C, D, H, W], got " +
                              shape_to_string(size));
    }
    const int64_t nd = static_cast<int64_t>(size.size()) - 2;
    if (theta.shape() != Shape{size[0], nd, nd + 1}) {
      return invalid_argument("theta " + shape_to_string(theta.shape()) + " must be [" +
                              std::to_string(size[0]) + ", " + std::to_string(nd) + ", " +
                              std::to_string(nd + 1) + "] for size " + shape_to_string(size));
    }
    const std::vector<int64_t> dims(size.begin() + 2, size.end());
    for (int64_t d : dims) {
      if (d <= 0) return invalid_argument("size " + shape_to_string(size) + " has a dim <= 0");
    }
    Shape out_shape{size[0]};
    out_shape.insert(out_shape.end(), dims.begin(), dims.end());
    out_shape.push_back(nd);
    RETURN_IF_ERROR(checked_num_elements(out_shape, sizeof(double)).status());
    switch (theta.dtype()) {
      case DataType::kFloat32:
        outputs[0] = affine_grid<float>(theta, dims, size[0], align_corners_);
        return Status::ok_status();
      case DataType::kFloat64:
        outputs[0] = affine_grid<double>(theta, dims, size[0], align_corners_);
        return Status::ok_status();
      default: {
        ASSIGN_OR_RETURN(Tensor ft, half_to_float32(ctx, theta));
        ASSIGN_OR_RETURN(outputs[0],
                         float32_to_half(ctx, affine_grid<float>(ft, dims, size[0], align_corners_),
                                         theta.dtype()));
        return Status::ok_status();
      }
    }
  }

 private:
  bool align_corners_;
};

Result<std::unique_ptr<exec::Kernel>> make_affine_grid(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {"align_corners"}));
  ASSIGN_OR_RETURN(int64_t align, node.attributes.get_int("align_corners", 0));
  if (align != 0 && align != 1) {
    return invalid_argument("align_corners must be 0 or 1, got " + std::to_string(align));
  }
  return exec::make_kernel<AffineGridKernel>(align == 1);
}

MH_REGISTER_CPU_KERNEL(AffineGrid, 20, exec::kMaxOpset, make_affine_grid);

}  // namespace
}  // namespace modelhost::engine::cpu

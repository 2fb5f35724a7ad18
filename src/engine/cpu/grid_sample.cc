// GridSample (opset 16..24): samples X [N, C, D1..Dk] at the normalized points of
// grid [N, O1..Ok, k] (the last grid axis lists coordinates x, y, z..., i.e. the spatial dims in
// reverse), giving Y [N, C, O1..Ok]. Opset 16 is 2-D only with modes bilinear / nearest /
// bicubic; opset 20 renames them linear / nearest / cubic and allows any k. Padding modes zeros,
// border, reflection; align_corners. Follows the ONNX reference (PyTorch's grid_sampler):
// coordinates are un-normalized, out-of-range ones clamped or reflected, then each tap index is
// fetched with the padding rule. Per output point the taps of all dims are combined into one
// list of (offset, weight) pairs shared by every channel. float32 and float64.
#include <algorithm>
#include <cmath>

#include "engine/cpu/shape_util.h"
#include "engine/exec/kernel_registry.h"

namespace modelhost::engine::cpu {
namespace {

enum class GridMode { kNearest, kLinear, kCubic };
enum class GridPadding { kZeros, kBorder, kReflection };

template <typename T>
T reflect(T x, T lo, T hi) {
  const T range = hi - lo;
  if (!(range > T(0))) return lo;
  if (x < lo) {
    const T dx = lo - x;
    const int64_t n = static_cast<int64_t>(dx / range);
    const T r = dx - static_cast<T>(n) * range;
    return n % 2 == 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const T dx = x - hi;
    const int64_t n = static_cast<int64_t>(dx / range);
    const T r = dx - static_cast<T>(n) * range;
    return n % 2 == 0 ? hi - r : lo + r;
  }
  return x;
}

template <typename T>
void cubic_coeffs(T t, T* c) {
  constexpr T a = T(-0.75);
  t = std::fabs(t);
  c[0] = ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a;
  c[1] = ((a + 2) * t - (a + 3)) * t * t + 1;
  c[2] = ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1;
  c[3] = ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a;
}

class GridSampleKernel final : public exec::Kernel {
 public:
  GridSampleKernel(GridMode mode, GridPadding padding, bool align_corners, bool only_2d)
      : mode_(mode), padding_(padding), align_corners_(align_corners), only_2d_(only_2d) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    const Tensor& grid = *inputs[1];
    RETURN_IF_ERROR(
        exec::check_dtype(x, 0, "GridSample", {DataType::kFloat32, DataType::kFloat64}));
    RETURN_IF_ERROR(exec::check_same_dtype(x, grid));
    const int64_t k = x.rank() - 2;
    if (k < 1 || (only_2d_ && k != 2)) {
      return invalid_argument(std::string("X must be ") + (only_2d_ ? "4-D" : "at least 3-D") +
                              " [N, C, spatial...], got " + shape_to_string(x.shape()));
    }
    if (grid.rank() != k + 2 || grid.shape()[0] != x.shape()[0] ||
        grid.shape()[static_cast<size_t>(k + 1)] != k) {
      return invalid_argument("grid must be [N, out spatial..., " + std::to_string(k) + "] for X " +
                              shape_to_string(x.shape()) + ", got " +
                              shape_to_string(grid.shape()));
    }
    Shape out_shape = {x.shape()[0], x.shape()[1]};
    for (int64_t d = 0; d < k; ++d) out_shape.push_back(grid.shape()[static_cast<size_t>(d + 1)]);
    ASSIGN_OR_RETURN(Tensor y, allocate_checked(x.dtype(), out_shape));
    if (y.num_elements() > 0) {
      if (x.dtype() == DataType::kFloat64) {
        run<double>(ctx, x, grid, y, k);
      } else {
        run<float>(ctx, x, grid, y, k);
      }
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  // Taps of one coordinate along a dim of `size`: (index or -1 for a zero, weight).
  template <typename T>
  int taps_1d(T v, int64_t size, int64_t* idx, T* w) const {
    const T lo = align_corners_ ? T(0) : T(-0.5);
    const T hi = align_corners_ ? static_cast<T>(size - 1) : static_cast<T>(size) - T(0.5);
    if (mode_ == GridMode::kNearest) v = std::nearbyint(v);
    if (v < lo || v > hi) {
      if (padding_ == GridPadding::kBorder) {
        v = std::clamp(v, T(0), static_cast<T>(size - 1));
      } else if (padding_ == GridPadding::kReflection) {
        v = reflect(v, lo, hi);
      }
    }
    auto fetch = [&](int64_t i) -> int64_t {
      switch (padding_) {
        case GridPadding::kZeros:
          return i >= 0 && i < size ? i : -1;
        case GridPadding::kBorder:
          return std::clamp<int64_t>(i, 0, size - 1);
        case GridPadding::kReflection:
          return std::clamp<int64_t>(static_cast<int64_t>(reflect(static_cast<T>(i), lo, hi)), 0,
                                     size - 1);
      }
      return -1;
    };
    if (mode_ == GridMode::kNearest) {
      idx[0] = fetch(static_cast<int64_t>(v));
      w[0] = T(1);
      return 1;
    }
    const T f = std::floor(v);
    const int64_t i0 = static_cast<int64_t>(f);
    const T t = v - f;
    if (mode_ == GridMode::kLinear) {
      idx[0] = fetch(i0);
      idx[1] = fetch(i0 + 1);
      w[0] = T(1) - t;
      w[1] = t;
      return 2;
    }
    cubic_coeffs(t, w);
    for (int j = 0; j < 4; ++j) idx[j] = fetch(i0 - 1 + j);
    return 4;
  }

  template <typename T>
  void run(const exec::KernelContext& ctx, const Tensor& x, const Tensor& grid, Tensor& y,
           int64_t k) const {
    const int64_t n_batch = x.shape()[0], channels = x.shape()[1];
    const Shape in_spatial(x.shape().begin() + 2, x.shape().end());
    const std::vector<int64_t> in_strides = strides_of(in_spatial);
    const int64_t in_plane = product(in_spatial, 0, in_spatial.size());
    const int64_t points = product(grid.shape(), 1, static_cast<size_t>(k + 1));
    const int per_dim = mode_ == GridMode::kNearest ? 1 : mode_ == GridMode::kLinear ? 2 : 4;
    int64_t taps = 1;
    for (int64_t d = 0; d < k; ++d) taps *= per_dim;
    std::vector<int64_t> offsets(static_cast<size_t>(points * taps));
    std::vector<T> weights(static_cast<size_t>(points * taps));
    const T* g = grid.data<T>();
    const T* xs = x.data<T>();
    T* ys = y.mutable_data<T>();
    for (int64_t n = 0; n < n_batch; ++n) {
      exec::parallel_for(ctx, points, 256, [&](int64_t p0, int64_t p1) {
        std::vector<int64_t> idx(static_cast<size_t>(k * 4));
        std::vector<T> w(static_cast<size_t>(k * 4));
        for (int64_t p = p0; p < p1; ++p) {
          const T* gp = g + (n * points + p) * k;
          for (int64_t d = 0; d < k; ++d) {
            const int64_t size = in_spatial[static_cast<size_t>(d)];
            const T nv = gp[k - 1 - d];  // grid lists x (the last dim) first
            const T v = align_corners_ ? (nv + T(1)) / T(2) * static_cast<T>(size - 1)
                                       : ((nv + T(1)) * static_cast<T>(size) - T(1)) / T(2);
            taps_1d<T>(v, size, idx.data() + d * 4, w.data() + d * 4);
          }
          // The tensor product of the per-dim taps.
          for (int64_t t = 0; t < taps; ++t) {
            int64_t rem = t, off = 0;
            T wt = T(1);
            for (int64_t d = k; d-- > 0;) {
              const int64_t j = rem % per_dim;
              rem /= per_dim;
              const int64_t i = idx[static_cast<size_t>(d * 4 + j)];
              if (i < 0 || off < 0) {
                off = -1;
              } else {
                off += i * in_strides[static_cast<size_t>(d)];
              }
              wt *= w[static_cast<size_t>(d * 4 + j)];
            }
            offsets[static_cast<size_t>(p * taps + t)] = off;
            weights[static_cast<size_t>(p * taps + t)] = wt;
          }
        }
      });
      exec::parallel_for(ctx, channels * points, 4096, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t c = r / points, p = r % points;
          const T* plane = xs + (n * channels + c) * in_plane;
          const int64_t* off = offsets.data() + p * taps;
          const T* wt = weights.data() + p * taps;
          T acc = T(0);
          for (int64_t t = 0; t < taps; ++t) {
            if (off[t] >= 0) acc += wt[t] * plane[off[t]];
          }
          ys[(n * channels + c) * points + p] = acc;
        }
      });
    }
  }

  GridMode mode_;
  GridPadding padding_;
  bool align_corners_;
  bool only_2d_;
};

Result<std::unique_ptr<exec::Kernel>> make_grid_sample(const ir::Node& node) {
  RETURN_IF_ERROR(exec::check_arity(node, 2, 2));
  RETURN_IF_ERROR(exec::check_attributes(node, {"align_corners", "mode", "padding_mode"}));
  const bool old = node.opset < 20;
  ASSIGN_OR_RETURN(std::string mode_s,
                   node.attributes.get_string("mode", old ? "bilinear" : "linear"));
  GridMode mode;
  if (mode_s == "nearest") {
    mode = GridMode::kNearest;
  } else if (mode_s == (old ? "bilinear" : "linear")) {
    mode = GridMode::kLinear;
  } else if (mode_s == (old ? "bicubic" : "cubic")) {
    mode = GridMode::kCubic;
  } else {
    return invalid_argument("mode \"" + mode_s + "\" is not one of " +
                            (old ? "bilinear, nearest, bicubic" : "linear, nearest, cubic") +
                            " at opset " + std::to_string(node.opset));
  }
  ASSIGN_OR_RETURN(std::string pad_s, node.attributes.get_string("padding_mode", "zeros"));
  GridPadding padding;
  if (pad_s == "zeros") {
    padding = GridPadding::kZeros;
  } else if (pad_s == "border") {
    padding = GridPadding::kBorder;
  } else if (pad_s == "reflection") {
    padding = GridPadding::kReflection;
  } else {
    return invalid_argument("padding_mode \"" + pad_s +
                            "\" is not one of zeros, border, reflection");
  }
  ASSIGN_OR_RETURN(int64_t align, node.attributes.get_int("align_corners", 0));
  return exec::make_kernel<GridSampleKernel>(mode, padding, align != 0, old);
}

MH_REGISTER_CPU_KERNEL(GridSample, 16, exec::kMaxOpset, make_grid_sample);

}  // namespace
}  // namespace modelhost::engine::cpu

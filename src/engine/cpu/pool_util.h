// Shared geometry for the sliding-window ops (Conv, ConvTranspose, MaxPool, AveragePool, LpPool):
// parsing kernel_shape / strides / dilations / pads / auto_pad, resolving the output size and the
// padding per spatial dim, and a by-hand N-D pooling loop. Every shape is lifted to 3 spatial
// dims (leading 1s), so the loops stay three nested ones for 1-D, 2-D and 3-D inputs.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/exec/kernel.h"
#include "engine/ir/graph.h"

namespace modelhost::engine::cpu {

enum class AutoPad { kNotSet, kSameUpper, kSameLower, kValid };

// Attributes as given on the node; empty vectors mean "not given".
struct WindowAttrs {
  std::vector<int64_t> kernel, strides, dilations, pads;
  AutoPad auto_pad = AutoPad::kNotSet;
  bool ceil_mode = false;
};

inline Result<WindowAttrs> parse_window_attrs(const ir::Node& node, bool kernel_required) {
  WindowAttrs a;
  ASSIGN_OR_RETURN(a.kernel, node.attributes.get_ints("kernel_shape", {}));
  ASSIGN_OR_RETURN(a.strides, node.attributes.get_ints("strides", {}));
  ASSIGN_OR_RETURN(a.dilations, node.attributes.get_ints("dilations", {}));
  ASSIGN_OR_RETURN(a.pads, node.attributes.get_ints("pads", {}));
  ASSIGN_OR_RETURN(std::string auto_pad, node.attributes.get_string("auto_pad", "NOTSET"));
  ASSIGN_OR_RETURN(int64_t ceil_mode, node.attributes.get_int("ceil_mode", 0));
  if (auto_pad == "NOTSET") {
    a.auto_pad = AutoPad::kNotSet;
  } else if (auto_pad == "SAME_UPPER") {
    a.auto_pad = AutoPad::kSameUpper;
  } else if (auto_pad == "SAME_LOWER") {
    a.auto_pad = AutoPad::kSameLower;
  } else if (auto_pad == "VALID") {
    a.auto_pad = AutoPad::kValid;
  } else {
    return invalid_argument("auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got \"" +
                            auto_pad + "\"");
  }
  a.ceil_mode = ceil_mode != 0;
  if (kernel_required && a.kernel.empty()) return invalid_argument("kernel_shape is required");
  const size_t n = a.kernel.size();
  for (int64_t k : a.kernel) {
    if (k < 1) return invalid_argument("kernel_shape values must be >= 1");
  }
  for (int64_t s : a.strides) {
    if (s < 1) return invalid_argument("strides must be >= 1");
  }
  for (int64_t d : a.dilations) {
    if (d < 1) return invalid_argument("dilations must be >= 1");
  }
  for (int64_t p : a.pads) {
    if (p < 0) return invalid_argument("pads must be >= 0");
  }
  if (n > 0 && ((!a.strides.empty() && a.strides.size() != n) ||
                (!a.dilations.empty() && a.dilations.size() != n) ||
                (!a.pads.empty() && a.pads.size() != 2 * n))) {
    return invalid_argument("kernel_shape, strides, dilations and pads disagree on the rank");
  }
  if (n > 3) return unimplemented("only 1-D, 2-D and 3-D windows are supported");
  if (!a.pads.empty() && a.auto_pad != AutoPad::kNotSet) {
    bool all_zero = std::all_of(a.pads.begin(), a.pads.end(), [](int64_t p) { return p == 0; });
    if (!all_zero) return invalid_argument("pads and auto_pad cannot both be set");
  }
  return a;
}

// A window op's geometry, lifted to exactly 3 spatial dims (leading dims of size 1).
struct Geometry3 {
  int64_t in[3] = {1, 1, 1};
  int64_t out[3] = {1, 1, 1};
  int64_t kernel[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1};
  int64_t dilation[3] = {1, 1, 1};
  int64_t pad_begin[3] = {0, 0, 0};
  int64_t pad_end[3] = {0, 0, 0};
  int nd = 0;  // the op's own spatial rank
  // The output shape of the spatial dims only (nd of them).
  std::vector<int64_t> out_dims() const { return std::vector<int64_t>(out + (3 - nd), out + 3); }
};

// Resolves pads and output size for convolution or pooling of `in_spatial` with `kernel`.
// `pool_ceil` applies ceil_mode (pooling only).
inline Result<Geometry3> resolve_geometry(const WindowAttrs& a, std::span<const int64_t> in_spatial,
                                          std::span<const int64_t> kernel) {
  const size_t nd = in_spatial.size();
  if (nd < 1 || nd > 3) {
    return unimplemented("only 1-D, 2-D and 3-D inputs are supported, got " + std::to_string(nd) +
                         " spatial dims");
  }
  if (kernel.size() != nd) {
    return invalid_argument("kernel has " + std::to_string(kernel.size()) +
                            " spatial dims for an input with " + std::to_string(nd));
  }
  if ((!a.strides.empty() && a.strides.size() != nd) ||
      (!a.dilations.empty() && a.dilations.size() != nd) ||
      (!a.pads.empty() && a.pads.size() != 2 * nd)) {
    return invalid_argument("strides, dilations or pads do not match the input's " +
                            std::to_string(nd) + " spatial dims");
  }
  Geometry3 g;
  g.nd = static_cast<int>(nd);
  const size_t off = 3 - nd;
  for (size_t i = 0; i < nd; ++i) {
    const size_t j = off + i;
    g.in[j] = in_spatial[i];
    g.kernel[j] = kernel[i];
    g.stride[j] = a.strides.empty() ? 1 : a.strides[i];
    g.dilation[j] = a.dilations.empty() ? 1 : a.dilations[i];
    const int64_t window = (g.kernel[j] - 1) * g.dilation[j] + 1;
    switch (a.auto_pad) {
      case AutoPad::kNotSet: {
        g.pad_begin[j] = a.pads.empty() ? 0 : a.pads[i];
        g.pad_end[j] = a.pads.empty() ? 0 : a.pads[nd + i];
        const int64_t span = g.in[j] + g.pad_begin[j] + g.pad_end[j] - window;
        if (span < 0) {
          return invalid_argument("the window (" + std::to_string(window) +
                                  ") is larger than the padded input (" +
                                  std::to_string(g.in[j] + g.pad_begin[j] + g.pad_end[j]) + ")");
        }
        if (a.ceil_mode) {
          g.out[j] = (span + g.stride[j] - 1) / g.stride[j] + 1;
          // The last window must start inside the input or its leading padding.
          if ((g.out[j] - 1) * g.stride[j] >= g.in[j] + g.pad_begin[j]) --g.out[j];
        } else {
          g.out[j] = span / g.stride[j] + 1;
        }
        break;
      }
      case AutoPad::kValid:
        if (g.in[j] < window) {
          return invalid_argument("the window (" + std::to_string(window) +
                                  ") is larger than the input (" + std::to_string(g.in[j]) + ")");
        }
        g.out[j] = (g.in[j] - window) / g.stride[j] + 1;
        if (a.ceil_mode) g.out[j] = (g.in[j] - window + g.stride[j] - 1) / g.stride[j] + 1;
        break;
      case AutoPad::kSameUpper:
      case AutoPad::kSameLower: {
        g.out[j] = (g.in[j] + g.stride[j] - 1) / g.stride[j];
        const int64_t total = std::max<int64_t>(0, (g.out[j] - 1) * g.stride[j] + window - g.in[j]);
        const int64_t small = total / 2;
        g.pad_begin[j] = a.auto_pad == AutoPad::kSameUpper ? small : total - small;
        g.pad_end[j] = total - g.pad_begin[j];
        break;
      }
    }
    if (g.out[j] < 0) g.out[j] = 0;
  }
  return g;
}

enum class PoolKind { kMax, kAverage, kLp };

// Pools every (n, c) plane of `x` ([planes, in...] row-major) into `y` ([planes, out...]).
// `indices` (MaxPool only, may be null) receives the flat input index of each maximum, counted
// over the whole [N, C, spatial...] tensor; `column_major` switches the spatial part of that
// index to column-major order (storage_order = 1).
template <typename T>
void pool_planes(PoolKind kind, const Geometry3& g, bool count_include_pad, double p, const T* x,
                 T* y, int64_t* indices, bool column_major, int64_t planes,
                 const exec::KernelContext& ctx) {
  const int64_t in_plane = g.in[0] * g.in[1] * g.in[2];
  const int64_t out_plane = g.out[0] * g.out[1] * g.out[2];
  exec::parallel_for(ctx, planes, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t pl = p0; pl < p1; ++pl) {
      const T* xp = x + pl * in_plane;
      T* yp = y + pl * out_plane;
      int64_t* ip = indices ? indices + pl * out_plane : nullptr;
      for (int64_t o0 = 0; o0 < g.out[0]; ++o0) {
        for (int64_t o1 = 0; o1 < g.out[1]; ++o1) {
          for (int64_t o2 = 0; o2 < g.out[2]; ++o2) {
            const int64_t s0 = o0 * g.stride[0] - g.pad_begin[0];
            const int64_t s1 = o1 * g.stride[1] - g.pad_begin[1];
            const int64_t s2 = o2 * g.stride[2] - g.pad_begin[2];
            double acc = kind == PoolKind::kMax ? -std::numeric_limits<double>::infinity() : 0.0;
            int64_t best = -1;
            int64_t count = 0;         // positions inside the input
            int64_t padded_count = 0;  // positions inside input or explicit padding
            for (int64_t k0 = 0; k0 < g.kernel[0]; ++k0) {
              const int64_t i0 = s0 + k0 * g.dilation[0];
              if (i0 >= g.in[0] + g.pad_end[0]) break;
              const bool in0 = i0 >= 0 && i0 < g.in[0];
              for (int64_t k1 = 0; k1 < g.kernel[1]; ++k1) {
                const int64_t i1 = s1 + k1 * g.dilation[1];
                if (i1 >= g.in[1] + g.pad_end[1]) break;
                const bool in1 = in0 && i1 >= 0 && i1 < g.in[1];
                for (int64_t k2 = 0; k2 < g.kernel[2]; ++k2) {
                  const int64_t i2 = s2 + k2 * g.dilation[2];
                  if (i2 >= g.in[2] + g.pad_end[2]) break;
                  ++padded_count;
                  if (!in1 || i2 < 0 || i2 >= g.in[2]) continue;
                  ++count;
                  const int64_t idx = (i0 * g.in[1] + i1) * g.in[2] + i2;
                  const double v = static_cast<double>(xp[idx]);
                  switch (kind) {
                    case PoolKind::kMax:
                      if (best < 0 || v > acc) {
                        acc = v;
                        best = column_major ? i0 + g.in[0] * (i1 + g.in[1] * i2) : idx;
                      }
                      break;
                    case PoolKind::kAverage:
                      acc += v;
                      break;
                    case PoolKind::kLp:
                      acc += std::pow(std::abs(v), p);
                      break;
                  }
                }
              }
            }
            const int64_t o = (o0 * g.out[1] + o1) * g.out[2] + o2;
            double r = acc;
            if (kind == PoolKind::kAverage) {
              const int64_t div = count_include_pad ? padded_count : count;
              r = div > 0 ? acc / static_cast<double>(div) : 0.0;
            } else if (kind == PoolKind::kLp) {
              r = std::pow(acc, 1.0 / p);
            } else if (best < 0) {
              r = 0.0;
            }
            yp[o] = static_cast<T>(r);
            if (ip) ip[o] = pl * in_plane + std::max<int64_t>(best, 0);
          }
        }
      }
    }
  });
}

// The common case of pool_planes, separably: float32 max or average pooling over 1-D or 2-D
// planes without dilation and without indices. A window is a rectangle clipped to the input, so
// its maximum (or sum) is a pass along W into a row buffer and then a pass along H over whole
// rows, which vectorizes; the average divides by the product of the per-axis counts. Same
// results as pool_planes (padding never wins a maximum, an empty window gives 0).
inline bool separable_pool_applies(PoolKind kind, const Geometry3& g, bool want_indices) {
  return kind != PoolKind::kLp && !want_indices && g.in[0] == 1 && g.kernel[0] == 1 &&
         g.dilation[1] == 1 && g.dilation[2] == 1;
}

inline void pool_planes_separable(PoolKind kind, const Geometry3& g, bool count_include_pad,
                                  const float* x, float* y, int64_t planes,
                                  const exec::KernelContext& ctx) {
  struct Span {
    int64_t lo, hi, divisor;  // clipped window [lo, hi) and its share of the average's divisor
  };
  auto spans = [&](int axis) {
    std::vector<Span> out(static_cast<size_t>(g.out[axis]));
    for (int64_t o = 0; o < g.out[axis]; ++o) {
      const int64_t s = o * g.stride[axis] - g.pad_begin[axis];
      const int64_t lo = std::max<int64_t>(0, s);
      const int64_t hi = std::min(g.in[axis], s + g.kernel[axis]);
      const int64_t padded =
          std::max<int64_t>(0, std::min(g.kernel[axis], g.in[axis] + g.pad_end[axis] - s));
      out[static_cast<size_t>(o)] = {lo, std::max(lo, hi),
                                     count_include_pad ? padded : std::max<int64_t>(0, hi - lo)};
    }
    return out;
  };
  const std::vector<Span> rows = spans(1), cols = spans(2);
  const int64_t h = g.in[1], w = g.in[2], oh = g.out[1], ow = g.out[2];
  const bool is_max = kind == PoolKind::kMax;
  exec::parallel_for(ctx, planes, 1, [&](int64_t p0, int64_t p1) {
    std::vector<float> along_w(static_cast<size_t>(h * ow));
    for (int64_t pl = p0; pl < p1; ++pl) {
      const float* xp = x + pl * h * w;
      float* yp = y + pl * oh * ow;
      for (int64_t r = 0; r < h; ++r) {
        const float* xr = xp + r * w;
        float* tr = along_w.data() + r * ow;
        for (int64_t o = 0; o < ow; ++o) {
          const Span& c = cols[static_cast<size_t>(o)];
          float acc = is_max ? -std::numeric_limits<float>::infinity() : 0.f;
          for (int64_t i = c.lo; i < c.hi; ++i) acc = is_max ? std::max(acc, xr[i]) : acc + xr[i];
          tr[o] = acc;
        }
      }
      for (int64_t o = 0; o < oh; ++o) {
        const Span& rs = rows[static_cast<size_t>(o)];
        float* yr = yp + o * ow;
        std::fill(yr, yr + ow, is_max ? -std::numeric_limits<float>::infinity() : 0.f);
        for (int64_t r = rs.lo; r < rs.hi; ++r) {
          const float* tr = along_w.data() + r * ow;
          if (is_max) {
            for (int64_t j = 0; j < ow; ++j) yr[j] = std::max(yr[j], tr[j]);
          } else {
            for (int64_t j = 0; j < ow; ++j) yr[j] += tr[j];
          }
        }
        for (int64_t j = 0; j < ow; ++j) {
          const Span& c = cols[static_cast<size_t>(j)];
          const bool empty = rs.hi == rs.lo || c.hi == c.lo;
          if (empty) {
            yr[j] = 0.f;
          } else if (!is_max) {
            const int64_t div = rs.divisor * c.divisor;
            yr[j] = div > 0 ? yr[j] / static_cast<float>(div) : 0.f;
          }
        }
      }
    }
  });
}

// The kernel behind MaxPool, AveragePool, LpPool and the Global* pools (float32, float64).
class PoolKernel final : public exec::Kernel {
 public:
  // `global`: the window is the whole spatial extent (attrs ignored).
  PoolKernel(std::string op, PoolKind kind, WindowAttrs attrs, bool global, bool count_include_pad,
             double p, bool column_major)
      : op_(std::move(op)),
        kind_(kind),
        attrs_(std::move(attrs)),
        global_(global),
        count_include_pad_(count_include_pad),
        p_(p),
        column_major_(column_major) {}

  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    const Tensor& x = *inputs[0];
    if (kind_ == PoolKind::kMax && !global_) {  // MaxPool: int8 and uint8 too (opset 12+)
      RETURN_IF_ERROR(exec::check_dtype(
          x, 0, op_, {DataType::kFloat32, DataType::kFloat64, DataType::kInt8, DataType::kUInt8}));
    } else {
      RETURN_IF_ERROR(exec::check_dtype(x, 0, op_, {DataType::kFloat32, DataType::kFloat64}));
    }
    if (x.rank() < 3) {
      return invalid_argument(op_ + " needs an input of rank >= 3 ([N, C, spatial...]), got " +
                              shape_to_string(x.shape()));
    }
    const std::span<const int64_t> spatial(x.shape().data() + 2, x.shape().size() - 2);
    Geometry3 g;
    if (global_) {
      WindowAttrs a;
      ASSIGN_OR_RETURN(g, resolve_geometry(a, spatial, spatial));
    } else {
      ASSIGN_OR_RETURN(g, resolve_geometry(attrs_, spatial, attrs_.kernel));
    }
    Shape y_shape = {x.shape()[0], x.shape()[1]};
    for (int64_t d : g.out_dims()) y_shape.push_back(d);
    RETURN_IF_ERROR(checked_num_elements(y_shape, 8).status());
    Tensor y = Tensor::allocate(x.dtype(), y_shape);
    const bool want_indices = outputs.size() > 1;
    Tensor ind;
    if (want_indices) ind = Tensor::allocate(DataType::kInt64, y_shape);
    const int64_t planes = x.shape()[0] * x.shape()[1];
    if (y.num_elements() > 0) {
      int64_t* ip = want_indices ? ind.mutable_data<int64_t>() : nullptr;
      if (x.dtype() == DataType::kFloat32 && !global_ &&
          separable_pool_applies(kind_, g, want_indices)) {
        pool_planes_separable(kind_, g, count_include_pad_, x.data<float>(),
                              y.mutable_data<float>(), planes, ctx);
      } else if (x.dtype() == DataType::kFloat32) {
        pool_planes<float>(kind_, g, count_include_pad_, p_, x.data<float>(),
                           y.mutable_data<float>(), ip, column_major_, planes, ctx);
      } else if (x.dtype() == DataType::kInt8) {
        pool_planes<int8_t>(kind_, g, count_include_pad_, p_, x.data<int8_t>(),
                            y.mutable_data<int8_t>(), ip, column_major_, planes, ctx);
      } else if (x.dtype() == DataType::kUInt8) {
        pool_planes<uint8_t>(kind_, g, count_include_pad_, p_, x.data<uint8_t>(),
                             y.mutable_data<uint8_t>(), ip, column_major_, planes, ctx);
      } else {
        pool_planes<double>(kind_, g, count_include_pad_, p_, x.data<double>(),
                            y.mutable_data<double>(), ip, column_major_, planes, ctx);
      }
    }
    outputs[0] = std::move(y);
    if (want_indices) outputs[1] = std::move(ind);
    return Status::ok_status();
  }

 private:
  std::string op_;
  PoolKind kind_;
  WindowAttrs attrs_;
  bool global_;
  bool count_include_pad_;
  double p_;
  bool column_major_;
};

}  // namespace modelhost::engine::cpu

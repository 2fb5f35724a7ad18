// The interpolation behind Resize and Upsample: attribute parsing, per-axis tap tables, the
// nearest gather and the separable linear / cubic passes (see resize_util.h).
#include "engine/cpu/resize_util.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>

#include "engine/cpu/shape_util.h"

namespace modelhost::engine::cpu {

Result<ResizeMode> parse_resize_mode(const std::string& s) {
  if (s == "nearest") return ResizeMode::kNearest;
  if (s == "linear" || s == "bilinear" || s == "trilinear") return ResizeMode::kLinear;
  if (s == "cubic" || s == "bicubic") return ResizeMode::kCubic;
  return invalid_argument("mode \"" + s + "\" is not one of nearest, linear, cubic");
}

Result<ResizeCoordinateMode> parse_resize_coordinate_mode(const std::string& s, int64_t opset) {
  if (s == "half_pixel") return ResizeCoordinateMode::kHalfPixel;
  if (s == "pytorch_half_pixel") return ResizeCoordinateMode::kPytorchHalfPixel;
  if (s == "align_corners") return ResizeCoordinateMode::kAlignCorners;
  if (s == "asymmetric") return ResizeCoordinateMode::kAsymmetric;
  if (s == "tf_crop_and_resize") return ResizeCoordinateMode::kTfCropAndResize;
  if (s == "half_pixel_symmetric" && opset >= 19) return ResizeCoordinateMode::kHalfPixelSymmetric;
  if (s == "tf_half_pixel_for_nn" && opset <= 12) return ResizeCoordinateMode::kTfHalfPixelForNn;
  return invalid_argument("coordinate_transformation_mode \"" + s +
                          "\" is not supported at opset " + std::to_string(opset));
}

Result<ResizeNearestMode> parse_resize_nearest_mode(const std::string& s) {
  if (s == "round_prefer_floor") return ResizeNearestMode::kRoundPreferFloor;
  if (s == "round_prefer_ceil") return ResizeNearestMode::kRoundPreferCeil;
  if (s == "floor") return ResizeNearestMode::kFloor;
  if (s == "ceil") return ResizeNearestMode::kCeil;
  return invalid_argument("nearest_mode \"" + s +
                          "\" is not one of round_prefer_floor, round_prefer_ceil, floor, ceil");
}

Result<ResizeAspectPolicy> parse_resize_aspect_policy(const std::string& s) {
  if (s == "stretch") return ResizeAspectPolicy::kStretch;
  if (s == "not_larger") return ResizeAspectPolicy::kNotLarger;
  if (s == "not_smaller") return ResizeAspectPolicy::kNotSmaller;
  return invalid_argument("keep_aspect_ratio_policy \"" + s +
                          "\" is not one of stretch, not_larger, not_smaller");
}

namespace {

// One axis: for output index y, taps [y*taps, (y+1)*taps) of `index` / `weight`; `outside[y]`
// writes the extrapolation value instead. Nearest uses one tap of weight 1.
struct AxisTable {
  int64_t in = 1, out = 1, taps = 1;
  std::vector<int64_t> index;
  std::vector<double> weight;
  std::vector<uint8_t> outside;
  bool any_outside = false;
  bool identity = false;
};

struct AxisGeometry {
  int64_t in = 1, out = 1;
  double scale = 1.0;
  double roi_start = 0.0, roi_end = 1.0;
};

// Where output index x falls in the input, in input pixels; sets *outside for tf_crop_and_resize
// samples beyond the input.
double source_coordinate(ResizeCoordinateMode mode, const AxisGeometry& g, int64_t x,
                         bool* outside) {
  const double xd = static_cast<double>(x);
  const double in = static_cast<double>(g.in);
  // The ONNX reference divides by the unrounded output length (scale * in): with scales that do
  // not give a whole number of pixels, align_corners and tf_crop_and_resize depend on it.
  const double out_f = g.scale * in;
  switch (mode) {
    case ResizeCoordinateMode::kAlignCorners:
      return out_f == 1.0 ? 0.0 : xd * (in - 1) / (out_f - 1);
    case ResizeCoordinateMode::kAsymmetric:
      return xd / g.scale;
    case ResizeCoordinateMode::kTfCropAndResize: {
      double v = out_f == 1.0 ? (g.roi_end - g.roi_start) * (in - 1) / 2
                              : xd * (g.roi_end - g.roi_start) * (in - 1) / (out_f - 1);
      v += g.roi_start * (in - 1);
      *outside = v < 0 || v > in - 1;
      return v;
    }
    case ResizeCoordinateMode::kPytorchHalfPixel:
      return g.out > 1 ? (xd + 0.5) / g.scale - 0.5 : 0.0;
    case ResizeCoordinateMode::kHalfPixel:
      return (xd + 0.5) / g.scale - 0.5;
    case ResizeCoordinateMode::kHalfPixelSymmetric: {
      const double adjustment = static_cast<double>(g.out) / out_f;
      const double offset = in / 2 * (1 - adjustment);
      return offset + (xd + 0.5) / g.scale - 0.5;
    }
    case ResizeCoordinateMode::kTfHalfPixelForNn:
      return (xd + 0.5) / g.scale;
  }
  return xd;
}

int64_t nearest_index(ResizeNearestMode mode, double v, double scale) {
  const double f = std::floor(v);
  if (v == f) return static_cast<int64_t>(f);
  const double r = v - f;
  switch (mode) {
    case ResizeNearestMode::kRoundPreferFloor:
      return static_cast<int64_t>(r > 0.5 ? f + 1 : f);
    case ResizeNearestMode::kRoundPreferCeil:
      return static_cast<int64_t>(r >= 0.5 ? f + 1 : f);
    case ResizeNearestMode::kFloor:
      return static_cast<int64_t>(f);
    case ResizeNearestMode::kCeil:
      return static_cast<int64_t>(f + 1);
    case ResizeNearestMode::kSimple:
      return scale < 1.0 ? static_cast<int64_t>(std::ceil(v)) : static_cast<int64_t>(v);
  }
  return static_cast<int64_t>(f);
}

double cubic_kernel(double x, double a) {
  x = std::fabs(x);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0.0;
}

AxisTable build_table(const ResizeConfig& c, const AxisGeometry& g) {
  AxisTable t;
  t.in = g.in;
  t.out = g.out;
  t.outside.assign(static_cast<size_t>(g.out), 0);
  const int64_t last = std::max<int64_t>(g.in - 1, 0);
  if (c.mode == ResizeMode::kNearest) {
    t.taps = 1;
    t.index.resize(static_cast<size_t>(g.out));
    t.weight.assign(static_cast<size_t>(g.out), 1.0);
    for (int64_t y = 0; y < g.out; ++y) {
      bool outside = false;
      const double v = source_coordinate(c.coordinate_mode, g, y, &outside);
      t.outside[static_cast<size_t>(y)] = outside;
      t.any_outside |= outside;
      t.index[static_cast<size_t>(y)] =
          std::clamp<int64_t>(nearest_index(c.nearest_mode, v, g.scale), 0, last);
    }
  } else {
    const bool linear = c.mode == ResizeMode::kLinear;
    const double s_eff = c.antialias ? std::min(g.scale, 1.0) : 1.0;
    const double support = linear ? 1.0 : 2.0;
    const int64_t start = static_cast<int64_t>(std::floor(-support / s_eff)) + 1;
    t.taps = 2 - 2 * start;
    t.index.resize(static_cast<size_t>(g.out * t.taps));
    t.weight.resize(static_cast<size_t>(g.out * t.taps));
    for (int64_t y = 0; y < g.out; ++y) {
      bool outside = false;
      const double v = source_coordinate(c.coordinate_mode, g, y, &outside);
      t.outside[static_cast<size_t>(y)] = outside;
      t.any_outside |= outside;
      // The taps sit at base + i, base = ceil(v) - 1, ratio in (0, 1] (the ONNX reference
      // prefers the pixel on the left of v).
      const double fl = std::floor(v);
      const double ratio = v == fl ? 1.0 : v - fl;
      const int64_t base = static_cast<int64_t>(std::ceil(v)) - 1;
      double* w = t.weight.data() + y * t.taps;
      int64_t* idx = t.index.data() + y * t.taps;
      double sum = 0.0;
      for (int64_t j = 0; j < t.taps; ++j) {
        const double d = s_eff * (static_cast<double>(start + j) - ratio);
        w[j] = linear ? std::max(0.0, 1.0 - std::fabs(d)) : cubic_kernel(d, c.cubic_coeff_a);
        idx[j] = base + start + j;
        sum += w[j];
      }
      if (c.antialias && sum != 0.0) {
        for (int64_t j = 0; j < t.taps; ++j) w[j] /= sum;
      }
      if (c.exclude_outside) {
        double kept = 0.0;
        for (int64_t j = 0; j < t.taps; ++j) {
          if (idx[j] < 0 || idx[j] >= g.in) w[j] = 0.0;
          kept += w[j];
        }
        if (kept != 0.0) {
          for (int64_t j = 0; j < t.taps; ++j) w[j] /= kept;
        }
      }
      for (int64_t j = 0; j < t.taps; ++j) idx[j] = std::clamp<int64_t>(idx[j], 0, last);
    }
  }
  // An axis that maps every output index onto the same input index with weight 1 needs no pass.
  t.identity = g.in == g.out && !t.any_outside;
  for (int64_t y = 0; y < g.out && t.identity; ++y) {
    double at = 0.0, elsewhere = 0.0;
    for (int64_t j = 0; j < t.taps; ++j) {
      const size_t k = static_cast<size_t>(y * t.taps + j);
      if (t.index[k] == y) {
        at += t.weight[k];
      } else {
        elsewhere += std::fabs(t.weight[k]);
      }
    }
    t.identity = at == 1.0 && elsewhere == 0.0;
  }
  return t;
}

// ---- nearest: one gather over all axes, elements moved as bytes ----

template <typename E>
void nearest_gather(const E* src, E* dst, const Shape& in_shape, const Shape& out_shape,
                    const std::vector<std::vector<int64_t>>& maps, E fill,
                    const exec::KernelContext& ctx) {
  const size_t rank = out_shape.size();
  const std::vector<int64_t> in_strides = strides_of(in_shape);
  const int64_t width = out_shape[rank - 1];
  const int64_t rows = product(out_shape, 0, rank - 1);
  const std::vector<int64_t>& last = maps[rank - 1];
  bool any_outside_last = false;
  for (int64_t m : last) any_outside_last |= m < 0;
  exec::parallel_for(ctx, rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(width, 1)),
                     [&](int64_t r0, int64_t r1) {
                       int64_t prev_base =
                           -1;  // the input row behind output row r - 1, -1 when none or filled
                       for (int64_t r = r0; r < r1; ++r) {
                         int64_t rem = r, base = 0;
                         bool outside = false;
                         for (size_t d = rank - 1; d-- > 0;) {
                           const int64_t o = rem % out_shape[d];
                           rem /= out_shape[d];
                           const int64_t m = maps[d][static_cast<size_t>(o)];
                           if (m < 0) outside = true;
                           base += m * in_strides[d];
                         }
                         E* __restrict out = dst + r * width;
                         if (outside) {
                           std::fill(out, out + width, fill);
                           prev_base = -1;
                           continue;
                         }
                         if (base == prev_base) {
                           // Upsampling repeats input rows: copy the row just written.
                           std::memcpy(out, out - width, static_cast<size_t>(width) * sizeof(E));
                           continue;
                         }
                         prev_base = base;
                         const E* __restrict in = src + base;
                         const int64_t* __restrict lm = last.data();
                         if (any_outside_last) {
                           for (int64_t x = 0; x < width; ++x)
                             out[x] = lm[x] < 0 ? fill : in[lm[x]];
                         } else {
                           for (int64_t x = 0; x < width; ++x) out[x] = in[lm[x]];
                         }
                       }
                     });
}

template <typename N>
typename N::Storage store_saturated(double v) {
  using S = typename N::Storage;
  using A = typename N::Acc;
  if constexpr (std::is_integral_v<S> && !std::is_same_v<S, bool> && std::is_same_v<S, A>) {
    if (std::isnan(v)) return S(0);
    v = std::nearbyint(v);  // round half to even, as numpy's round
    if (v <= static_cast<double>(std::numeric_limits<S>::lowest())) {
      return std::numeric_limits<S>::lowest();
    }
    if (v >= static_cast<double>(std::numeric_limits<S>::max())) {
      return std::numeric_limits<S>::max();
    }
    return static_cast<S>(v);
  } else {
    return N::store(static_cast<A>(v));
  }
}

Status resize_nearest(const exec::KernelContext& ctx, const Tensor& x,
                      const std::vector<AxisTable>& tables, double extrapolation, Tensor& y) {
  std::vector<std::vector<int64_t>> maps(tables.size());
  for (size_t d = 0; d < tables.size(); ++d) {
    maps[d] = tables[d].index;
    for (size_t i = 0; i < maps[d].size(); ++i) {
      if (tables[d].outside[i]) maps[d][i] = -1;
    }
  }
  // The extrapolation value as the element's bytes.
  uint64_t fill_bits = 0;
  if (x.dtype() != DataType::kBool) {
    RETURN_IF_ERROR(visit_numeric(x.dtype(), [&]<typename N>() {
      const typename N::Storage s = store_saturated<N>(extrapolation);
      std::memcpy(&fill_bits, &s, sizeof(s));
      return Status::ok_status();
    }));
  }
  switch (dtype_size(x.dtype())) {
    case 1: {
      uint8_t f;
      std::memcpy(&f, &fill_bits, 1);
      nearest_gather(x.data<uint8_t>(), y.mutable_data<uint8_t>(), x.shape(), y.shape(), maps, f,
                     ctx);
      break;
    }
    case 2: {
      uint16_t f;
      std::memcpy(&f, &fill_bits, 2);
      nearest_gather(x.data<uint16_t>(), y.mutable_data<uint16_t>(), x.shape(), y.shape(), maps, f,
                     ctx);
      break;
    }
    case 4: {
      uint32_t f;
      std::memcpy(&f, &fill_bits, 4);
      nearest_gather(x.data<uint32_t>(), y.mutable_data<uint32_t>(), x.shape(), y.shape(), maps, f,
                     ctx);
      break;
    }
    case 8:
      nearest_gather(x.data<uint64_t>(), y.mutable_data<uint64_t>(), x.shape(), y.shape(), maps,
                     fill_bits, ctx);
      break;
    default:
      return unimplemented("Resize does not support dtype " + std::string(dtype_name(x.dtype())));
  }
  return Status::ok_status();
}

// ---- linear / cubic: separable passes in the compute type C ----

// [outer, table.in, inner] -> [outer, table.out, inner].
template <typename C>
void interpolate_axis(const C* src, C* dst, int64_t outer, int64_t inner, const AxisTable& t,
                      C fill, const exec::KernelContext& ctx) {
  const int64_t k = t.taps;
  std::vector<C> w(t.weight.begin(), t.weight.end());
  const int64_t* idx = t.index.data();
  const uint8_t* outside = t.outside.data();
  if (inner == 1) {
    const int64_t chunk = std::max<int64_t>(1, 16384 / std::max<int64_t>(t.out * k, 1));
    exec::parallel_for(ctx, outer, chunk, [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) {
        const C* s = src + o * t.in;
        C* d = dst + o * t.out;
        for (int64_t y = 0; y < t.out; ++y) {
          if (outside[y]) {
            d[y] = fill;
            continue;
          }
          const C* wy = w.data() + y * k;
          const int64_t* iy = idx + y * k;
          C acc = 0;
          for (int64_t j = 0; j < k; ++j) acc += wy[j] * s[iy[j]];
          d[y] = acc;
        }
      }
    });
    return;
  }
  const int64_t chunk = std::max<int64_t>(1, 16384 / std::max<int64_t>(inner * k, 1));
  exec::parallel_for(ctx, outer * t.out, chunk, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t o = r / t.out, y = r % t.out;
      C* __restrict d = dst + r * inner;
      if (outside[y]) {
        std::fill(d, d + inner, fill);
        continue;
      }
      const C* wy = w.data() + y * k;
      const int64_t* iy = idx + y * k;
      {
        const C* __restrict s = src + (o * t.in + iy[0]) * inner;
        const C w0 = wy[0];
#pragma omp simd
        for (int64_t i = 0; i < inner; ++i) d[i] = w0 * s[i];
      }
      for (int64_t j = 1; j < k; ++j) {
        const C wj = wy[j];
        if (wj == C(0)) continue;
        const C* __restrict s = src + (o * t.in + iy[j]) * inner;
#pragma omp simd
        for (int64_t i = 0; i < inner; ++i) d[i] += wj * s[i];
      }
    }
  });
}

// The common image case: only the last two axes change. Per output row, the taps of the rows
// are combined into one input-width row (kept in cache), then the column taps read from it; no
// intermediate tensor. Rows of all planes are spread over the pool.
template <typename C>
void interpolate_last_two(const C* src, C* dst, int64_t planes, const AxisTable& th,
                          const AxisTable& tw, C fill, const exec::KernelContext& ctx) {
  const int64_t w_in = tw.in, w_out = tw.out, kh = th.taps, kw = tw.taps;
  std::vector<C> wh(th.weight.begin(), th.weight.end());
  std::vector<C> ww(tw.weight.begin(), tw.weight.end());
  const int64_t rows = planes * th.out;
  const int64_t chunk = std::max<int64_t>(1, 16384 / std::max<int64_t>(w_out * kw + w_in * kh, 1));
  exec::parallel_for(ctx, rows, chunk, [&](int64_t r0, int64_t r1) {
    std::vector<C> tmp(static_cast<size_t>(w_in));
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t p = r / th.out, y = r % th.out;
      C* __restrict out = dst + r * w_out;
      if (th.outside[static_cast<size_t>(y)]) {
        std::fill(out, out + w_out, fill);
        continue;
      }
      const C* plane = src + p * th.in * w_in;
      const C* wy = wh.data() + y * kh;
      const int64_t* iy = th.index.data() + y * kh;
      C* __restrict t = tmp.data();
      {
        const C* __restrict row = plane + iy[0] * w_in;
        const C w0 = wy[0];
#pragma omp simd
        for (int64_t i = 0; i < w_in; ++i) t[i] = w0 * row[i];
      }
      for (int64_t j = 1; j < kh; ++j) {
        const C wj = wy[j];
        if (wj == C(0)) continue;
        const C* __restrict row = plane + iy[j] * w_in;
#pragma omp simd
        for (int64_t i = 0; i < w_in; ++i) t[i] += wj * row[i];
      }
      const C* wx = ww.data();
      const int64_t* ix = tw.index.data();
      if (kw == 2) {
        for (int64_t x = 0; x < w_out; ++x) {
          out[x] = wx[2 * x] * t[ix[2 * x]] + wx[2 * x + 1] * t[ix[2 * x + 1]];
        }
      } else {
        for (int64_t x = 0; x < w_out; ++x) {
          C acc = 0;
          for (int64_t j = 0; j < kw; ++j) acc += wx[x * kw + j] * t[ix[x * kw + j]];
          out[x] = acc;
        }
      }
      if (tw.any_outside) {
        for (int64_t x = 0; x < w_out; ++x) {
          if (tw.outside[static_cast<size_t>(x)]) out[x] = fill;
        }
      }
    }
  });
}

template <typename C>
std::unique_ptr<C[]> uninitialized_buffer(int64_t n) {
  return std::make_unique_for_overwrite<C[]>(static_cast<size_t>(std::max<int64_t>(n, 1)));
}

template <typename C, typename N>
Status resize_interpolated(const exec::KernelContext& ctx, const Tensor& x,
                           const std::vector<AxisTable>& tables, double extrapolation, Tensor& y) {
  using S = typename N::Storage;
  const int64_t n_in = x.num_elements();
  const S* xs = x.data<S>();
  std::unique_ptr<C[]> converted;
  const C* cur = nullptr;
  if constexpr (std::is_same_v<S, C>) {
    cur = xs;
  } else {
    converted = uninitialized_buffer<C>(n_in);
    for (int64_t i = 0; i < n_in; ++i)
      converted[static_cast<size_t>(i)] = static_cast<C>(N::load(xs[i]));
    cur = converted.get();
  }
  const size_t rank = tables.size();
  std::vector<size_t> passes;  // axes to interpolate, innermost first
  for (size_t d = rank; d-- > 0;) {
    if (!tables[d].identity) passes.push_back(d);
  }
  const int64_t n_out = y.num_elements();
  // The last pass writes straight into y when y holds the compute type.
  C* final_dst = nullptr;
  std::unique_ptr<C[]> final_buf;
  if constexpr (std::is_same_v<S, C>) {
    final_dst = y.mutable_data<C>();
  } else {
    final_buf = uninitialized_buffer<C>(n_out);
    final_dst = final_buf.get();
  }
  const C fill = static_cast<C>(extrapolation);
  if (passes.empty()) {
    std::copy(cur, cur + n_out, final_dst);
  } else if (rank >= 2 && passes.size() == 2 && passes[0] == rank - 1 && passes[1] == rank - 2) {
    interpolate_last_two<C>(cur, final_dst, product(x.shape(), 0, rank - 2), tables[rank - 2],
                            tables[rank - 1], fill, ctx);
  } else {
    Shape shape = x.shape();
    std::unique_ptr<C[]> bufs[2];
    for (size_t i = 0; i < passes.size(); ++i) {
      const size_t d = passes[i];
      const AxisTable& t = tables[d];
      const int64_t outer = product(shape, 0, d);
      const int64_t inner = product(shape, d + 1, rank);
      C* dst = final_dst;
      if (i + 1 < passes.size()) {
        bufs[i % 2] = uninitialized_buffer<C>(outer * t.out * inner);
        dst = bufs[i % 2].get();
      }
      if (outer * t.out * inner > 0) interpolate_axis<C>(cur, dst, outer, inner, t, fill, ctx);
      shape[d] = t.out;
      cur = dst;
    }
  }
  if constexpr (!std::is_same_v<S, C>) {
    S* ys = y.mutable_data<S>();
    for (int64_t i = 0; i < n_out; ++i)
      ys[i] = store_saturated<N>(static_cast<double>(final_dst[i]));
  }
  return Status::ok_status();
}

}  // namespace

Result<Tensor> resize_tensor(const exec::KernelContext& ctx, const ResizeConfig& config,
                             const Tensor& x, const ResizeRequest& request) {
  const int64_t rank = x.rank();
  std::vector<int64_t> axes;
  if (config.axes.empty()) {
    for (int64_t a = 0; a < rank; ++a) axes.push_back(a);
  } else {
    ASSIGN_OR_RETURN(axes, normalize_axes(config.axes, rank));
  }
  const size_t naxes = axes.size();
  std::vector<AxisGeometry> geo(static_cast<size_t>(rank));
  for (int64_t d = 0; d < rank; ++d) {
    geo[static_cast<size_t>(d)].in = x.shape()[static_cast<size_t>(d)];
    geo[static_cast<size_t>(d)].out = x.shape()[static_cast<size_t>(d)];
  }
  if (!request.scales.empty()) {
    if (request.scales.size() != naxes) {
      return invalid_argument("scales has " + std::to_string(request.scales.size()) +
                              " values; expected one per resized axis (" + std::to_string(naxes) +
                              ")");
    }
    for (size_t i = 0; i < naxes; ++i) {
      const double s = request.scales[i];
      if (!(s > 0) || !std::isfinite(s)) {
        return invalid_argument("scales must be positive and finite, got " + std::to_string(s));
      }
      AxisGeometry& g = geo[static_cast<size_t>(axes[i])];
      g.scale = s;
      const double out = std::floor(s * static_cast<double>(g.in));
      if (out > static_cast<double>(std::numeric_limits<int32_t>::max())) {
        return invalid_argument("scales make an output dim of " + std::to_string(out));
      }
      g.out = static_cast<int64_t>(out);
    }
  } else if (!request.sizes.empty()) {
    if (request.sizes.size() != naxes) {
      return invalid_argument("sizes has " + std::to_string(request.sizes.size()) +
                              " values; expected one per resized axis (" + std::to_string(naxes) +
                              ")");
    }
    for (size_t i = 0; i < naxes; ++i) {
      if (request.sizes[i] < 0) {
        return invalid_argument("sizes must not be negative, got " +
                                shape_to_string(request.sizes));
      }
      AxisGeometry& g = geo[static_cast<size_t>(axes[i])];
      g.out = request.sizes[i];
      g.scale = g.in > 0 ? static_cast<double>(g.out) / static_cast<double>(g.in) : 1.0;
    }
    if (config.aspect_policy != ResizeAspectPolicy::kStretch && naxes > 0) {
      double s = geo[static_cast<size_t>(axes[0])].scale;
      for (int64_t a : axes) {
        const double v = geo[static_cast<size_t>(a)].scale;
        s = config.aspect_policy == ResizeAspectPolicy::kNotLarger ? std::min(s, v)
                                                                   : std::max(s, v);
      }
      for (int64_t a : axes) {
        AxisGeometry& g = geo[static_cast<size_t>(a)];
        g.scale = s;
        g.out = static_cast<int64_t>(s * static_cast<double>(g.in) + 0.5);
      }
    }
  } else {
    return invalid_argument("Resize needs one of scales or sizes");
  }
  if (config.coordinate_mode == ResizeCoordinateMode::kTfCropAndResize) {
    if (request.roi.size() != 2 * naxes) {
      return invalid_argument("roi has " + std::to_string(request.roi.size()) +
                              " values; tf_crop_and_resize needs 2 per resized axis (" +
                              std::to_string(2 * naxes) + ")");
    }
    for (size_t i = 0; i < naxes; ++i) {
      geo[static_cast<size_t>(axes[i])].roi_start = request.roi[i];
      geo[static_cast<size_t>(axes[i])].roi_end = request.roi[naxes + i];
    }
  }
  Shape out_shape(static_cast<size_t>(rank));
  for (int64_t d = 0; d < rank; ++d)
    out_shape[static_cast<size_t>(d)] = geo[static_cast<size_t>(d)].out;
  for (int64_t d = 0; d < rank; ++d) {
    if (geo[static_cast<size_t>(d)].in == 0 && geo[static_cast<size_t>(d)].out > 0) {
      return invalid_argument("cannot resize an empty dim of " + shape_to_string(x.shape()) +
                              " to " + shape_to_string(out_shape));
    }
  }
  ASSIGN_OR_RETURN(Tensor y, allocate_checked(x.dtype(), out_shape));
  if (y.num_elements() == 0) return y;
  if (rank == 0) {
    std::memcpy(y.mutable_raw_data(), x.raw_data(), x.byte_size());
    return y;
  }
  std::vector<AxisTable> tables;
  tables.reserve(static_cast<size_t>(rank));
  for (const AxisGeometry& g : geo) tables.push_back(build_table(config, g));

  if (config.mode == ResizeMode::kNearest) {
    RETURN_IF_ERROR(resize_nearest(ctx, x, tables, config.extrapolation_value, y));
    return y;
  }
  Status st = visit_numeric(x.dtype(), [&]<typename N>() -> Status {
    using S = typename N::Storage;
    if constexpr (std::is_same_v<S, bool>) {
      return unimplemented("Resize " + std::string("linear/cubic does not support bool"));
    } else if constexpr (std::is_same_v<S, double>) {
      return resize_interpolated<double, N>(ctx, x, tables, config.extrapolation_value, y);
    } else {
      return resize_interpolated<float, N>(ctx, x, tables, config.extrapolation_value, y);
    }
  });
  RETURN_IF_ERROR(st);
  return y;
}

}  // namespace modelhost::engine::cpu

// See kernels.h. Plain, correct kernels first: grid-stride elementwise loops, one block per row for
// the row reductions (warp shuffles, then shared memory across warps).
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <string>

#include "engine/cuda/kernels.h"
#include "engine/cuda/runtime.h"

namespace modelhost::engine::cuda {
namespace {

constexpr int kThreads = 256;

int blocks_for(int64_t n) {
  const int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<int>(std::min<int64_t>(std::max<int64_t>(b, 1), 65535LL * 8));
}

Status launched(const char* what) { return cuda_status(cudaGetLastError(), what); }

__device__ __forceinline__ float activate(float v, Activation act) {
  switch (act) {
    case Activation::kRelu:
      return v > 0.f ? v : 0.f;
    case Activation::kGelu:
      return 0.5f * v * (1.f + erff(v * 0.70710678118654752f));
    case Activation::kSigmoid:
      return 1.f / (1.f + __expf(-v));
    case Activation::kSilu:
      return v / (1.f + __expf(-v));
    case Activation::kTanh:
      return tanhf(v);
    default:
      break;
  }
  return v;
}

__device__ __forceinline__ float apply_epilogue(float v, const Epilogue& e) {
  switch (e.act) {
    case Activation::kClip:
      return fminf(fmaxf(v, e.alpha), e.beta);
    case Activation::kLeakyRelu:
      return v >= 0.f ? v : e.alpha * v;
    case Activation::kHardSigmoid:
      return fmaxf(0.f, fminf(1.f, e.alpha * v + e.beta));
    case Activation::kHardSwish:
      return v * fmaxf(0.f, fminf(1.f, v / 6.f + 0.5f));
    default:
      return activate(v, e.act);
  }
}

__global__ void fused_epilogue_kernel(const float* x, const float* bias, const float* z, float* y,
                                      int64_t n, int64_t c, int64_t hw, Epilogue e) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    float v = x[i];
    if (bias != nullptr) v += bias[(i / hw) % c];
    if (z != nullptr) v += z[i];
    y[i] = apply_epilogue(v, e);
  }
}

__global__ void broadcast_binary_kernel(const float* a, const float* b, float* y, int64_t n,
                                        int64_t period, int64_t repeat, BinaryOp op, bool b_first) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    float l = a[i], r = b[(i / repeat) % period];
    if (b_first) {
      const float t = l;
      l = r;
      r = t;
    }
    float v;
    switch (op) {
      case BinaryOp::kAdd:
        v = l + r;
        break;
      case BinaryOp::kSub:
        v = l - r;
        break;
      case BinaryOp::kMul:
        v = l * r;
        break;
      default:
        v = l / r;
        break;
    }
    y[i] = v;
  }
}

__global__ void bias_activation_kernel(const float* x, const float* bias, float* y, int64_t n,
                                       int64_t cols, Activation act) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    float v = x[i];
    if (bias != nullptr) v += bias[i % cols];
    y[i] = activate(v, act);
  }
}

__global__ void channel_bias_activation_kernel(const float* x, const float* bias, float* y,
                                               int64_t n, int64_t c, int64_t hw, Activation act) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    float v = x[i];
    if (bias != nullptr) v += bias[(i / hw) % c];
    y[i] = activate(v, act);
  }
}

template <typename Op>
__global__ void binary_kernel(const float* a, const float* b, float* y, int64_t n, Op op) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    y[i] = op(a[i], b[i]);
  }
}

struct AddOp {
  __device__ float operator()(float a, float b) const { return a + b; }
};
struct MulOp {
  __device__ float operator()(float a, float b) const { return a * b; }
};

// Sum (or max) of `v` over the block; every thread gets the result.
template <bool kMax>
__device__ float block_reduce(float v) {
  __shared__ float partial[32];
  for (int offset = 16; offset > 0; offset >>= 1) {
    const float o = __shfl_xor_sync(0xffffffffu, v, offset);
    v = kMax ? fmaxf(v, o) : v + o;
  }
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  const int warps = (blockDim.x + 31) >> 5;
  v = lane < warps ? partial[lane] : (kMax ? -INFINITY : 0.f);
  for (int offset = 16; offset > 0; offset >>= 1) {
    const float o = __shfl_xor_sync(0xffffffffu, v, offset);
    v = kMax ? fmaxf(v, o) : v + o;
  }
  __syncthreads();  // partial[] may be reused by the next reduction
  return v;
}

__global__ void softmax_kernel(const float* x, float* y, int64_t cols) {
  const float* row = x + blockIdx.x * cols;
  float* out = y + blockIdx.x * cols;
  float m = -INFINITY;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) m = fmaxf(m, row[j]);
  m = block_reduce<true>(m);
  float s = 0.f;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) s += __expf(row[j] - m);
  s = block_reduce<false>(s);
  const float inv = 1.f / s;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) out[j] = __expf(row[j] - m) * inv;
}

// One block per score row: row r of block bh = blockIdx.x / rows belongs to batch bh / heads.
__global__ void scaled_masked_softmax_kernel(float* scores, const float* mask, int64_t heads,
                                             int64_t rows, int64_t cols, float scale) {
  float* row = scores + blockIdx.x * cols;
  const int64_t b = blockIdx.x / rows / heads;
  const float* m = mask != nullptr ? mask + b * cols : nullptr;
  float mx = -INFINITY;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
    const float v = row[j] * scale + (m != nullptr ? m[j] : 0.f);
    row[j] = v;
    mx = fmaxf(mx, v);
  }
  mx = block_reduce<true>(mx);
  float s = 0.f;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
    const float e = __expf(row[j] - mx);
    row[j] = e;
    s += e;
  }
  s = block_reduce<false>(s);
  const float inv = 1.f / s;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) row[j] *= inv;
}

__global__ void layer_norm_kernel(const float* x, const float* residual, const float* gamma,
                                  const float* beta, float* y, int64_t cols, float epsilon) {
  const int64_t base = blockIdx.x * cols;
  float sum = 0.f;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
    sum += x[base + j] + (residual != nullptr ? residual[base + j] : 0.f);
  }
  const float mean = block_reduce<false>(sum) / static_cast<float>(cols);
  float sq = 0.f;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
    const float d = x[base + j] + (residual != nullptr ? residual[base + j] : 0.f) - mean;
    sq += d * d;
  }
  const float inv = rsqrtf(block_reduce<false>(sq) / static_cast<float>(cols) + epsilon);
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
    const float v = x[base + j] + (residual != nullptr ? residual[base + j] : 0.f);
    y[base + j] = (v - mean) * inv * gamma[j] + (beta != nullptr ? beta[j] : 0.f);
  }
}

__global__ void gather_rows_kernel(const float* table, int64_t vocab, int64_t dim,
                                   const int64_t* indices, int64_t count, float* out,
                                   int* bad_index) {
  const int64_t n = count * dim;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t row = indices[i / dim];
    if (row < 0) row += vocab;
    if (row < 0 || row >= vocab) {
      out[i] = 0.f;
      if (bad_index != nullptr) *bad_index = 1;
    } else {
      out[i] = table[row * dim + i % dim];
    }
  }
}

__global__ void row_mean_kernel(const float* x, float* y, int64_t cols) {
  const float* row = x + blockIdx.x * cols;
  float s = 0.f;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) s += row[j];
  s = block_reduce<false>(s);
  if (threadIdx.x == 0) y[blockIdx.x] = s / static_cast<float>(cols);
}

template <bool kMax>
__global__ void pool_kernel(const float* x, float* y, Pool2d p, int64_t oh, int64_t ow) {
  const int64_t n = p.n * p.c * oh * ow;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t ox = i % ow, oy = (i / ow) % oh, plane = i / (ow * oh);
    const float* src = x + plane * p.h * p.w;
    float acc = kMax ? -INFINITY : 0.f;
    int count = 0;
    for (int64_t r = 0; r < p.kh; ++r) {
      const int64_t yy = oy * p.stride_h - p.pad_h + r;
      if (yy < 0 || yy >= p.h) continue;
      for (int64_t c = 0; c < p.kw; ++c) {
        const int64_t xx = ox * p.stride_w - p.pad_w + c;
        if (xx < 0 || xx >= p.w) continue;
        const float v = src[yy * p.w + xx];
        acc = kMax ? fmaxf(acc, v) : acc + v;
        ++count;
      }
    }
    y[i] = kMax ? acc : (count > 0 ? acc / static_cast<float>(count) : 0.f);
  }
}

__global__ void clip_kernel(const float* x, float* y, int64_t n, float lo, float hi) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    y[i] = fminf(fmaxf(x[i], lo), hi);
  }
}

__global__ void channel_scale_kernel(const float* x, const float* scale, float* y, int64_t n,
                                     int64_t hw) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    y[i] = x[i] * scale[i / hw];
  }
}

__global__ void resize_kernel(const float* x, float* y, int64_t planes, int64_t in_h, int64_t in_w,
                              int64_t out_h, int64_t out_w, ResizeMode mode) {
  const int64_t n = planes * out_h * out_w;
  const float sh = static_cast<float>(in_h) / static_cast<float>(out_h);
  const float sw = static_cast<float>(in_w) / static_cast<float>(out_w);
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t ox = i % out_w, oy = (i / out_w) % out_h, plane = i / (out_w * out_h);
    const float* src = x + plane * in_h * in_w;
    if (mode == ResizeMode::kNearest) {
      // asymmetric coordinates, round_prefer_floor
      int64_t yy = static_cast<int64_t>(ceilf(oy * sh - 0.5f));
      int64_t xx = static_cast<int64_t>(ceilf(ox * sw - 0.5f));
      yy = yy < 0 ? 0 : (yy > in_h - 1 ? in_h - 1 : yy);
      xx = xx < 0 ? 0 : (xx > in_w - 1 ? in_w - 1 : xx);
      y[i] = src[yy * in_w + xx];
      continue;
    }
    // half_pixel coordinates, clamped at the borders
    const float fy = fminf(fmaxf((oy + 0.5f) * sh - 0.5f, 0.f), static_cast<float>(in_h - 1));
    const float fx = fminf(fmaxf((ox + 0.5f) * sw - 0.5f, 0.f), static_cast<float>(in_w - 1));
    const int64_t y0 = static_cast<int64_t>(fy), x0 = static_cast<int64_t>(fx);
    const int64_t y1 = y0 + 1 < in_h ? y0 + 1 : in_h - 1;
    const int64_t x1 = x0 + 1 < in_w ? x0 + 1 : in_w - 1;
    const float dy = fy - static_cast<float>(y0), dx = fx - static_cast<float>(x0);
    const float top = src[y0 * in_w + x0] * (1.f - dx) + src[y0 * in_w + x1] * dx;
    const float bottom = src[y1 * in_w + x0] * (1.f - dx) + src[y1 * in_w + x1] * dx;
    y[i] = top * (1.f - dy) + bottom * dy;
  }
}

constexpr int kTile = 32;

__global__ void transpose_kernel(const float* x, float* y, int64_t rows, int64_t cols) {
  __shared__ float tile[kTile][kTile + 1];  // +1: no bank conflicts on the column reads
  const int64_t c = blockIdx.x * kTile + threadIdx.x;
  for (int k = threadIdx.y; k < kTile; k += blockDim.y) {
    const int64_t r = blockIdx.y * kTile + k;
    if (r < rows && c < cols) tile[k][threadIdx.x] = x[r * cols + c];
  }
  __syncthreads();
  const int64_t r_out = blockIdx.x * kTile;  // output rows are input columns
  const int64_t c_out = blockIdx.y * kTile + threadIdx.x;
  for (int k = threadIdx.y; k < kTile; k += blockDim.y) {
    if (r_out + k < cols && c_out < rows) y[(r_out + k) * rows + c_out] = tile[threadIdx.x][k];
  }
}

__global__ void gather_axis_kernel(const uint32_t* data, int64_t axis_dim, int64_t inner,
                                   const int64_t* indices, int64_t count, uint32_t* out, int64_t n,
                                   int* flag, int flag_value) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t e = i % inner;
    const int64_t j = (i / inner) % count;
    const int64_t o = i / (inner * count);
    int64_t idx = indices[j];
    if (idx < 0) idx += axis_dim;
    if (idx < 0 || idx >= axis_dim) {
      out[i] = 0;
      if (flag != nullptr) *flag = flag_value;
    } else {
      out[i] = data[(o * axis_dim + idx) * inner + e];
    }
  }
}

__global__ void reduce_axis_kernel(const float* x, float* y, int64_t outer, int64_t r,
                                   int64_t inner, ReduceKind kind) {
  const int64_t n = outer * inner;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t o = i / inner, e = i % inner;
    const float* p = x + o * r * inner + e;
    float acc = kind == ReduceKind::kMax ? -INFINITY : 0.f;
    for (int64_t j = 0; j < r; ++j) {
      const float v = p[j * inner];
      if (kind == ReduceKind::kMax) {
        acc = fmaxf(acc, v);
      } else if (kind == ReduceKind::kL2) {
        acc += v * v;
      } else {
        acc += v;
      }
    }
    if (kind == ReduceKind::kMean) acc /= static_cast<float>(r);
    if (kind == ReduceKind::kL2) acc = sqrtf(acc);
    y[i] = acc;
  }
}

struct PermuteArgs {
  int rank = 0;
  int64_t out_dims[kMaxPermuteRank];
  int64_t in_strides[kMaxPermuteRank];  // x's stride of y's dim i
};

__global__ void permute_kernel(const uint32_t* x, uint32_t* y, int64_t n, PermuteArgs a) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t rest = i, src = 0;
    for (int d = a.rank - 1; d >= 0; --d) {
      src += (rest % a.out_dims[d]) * a.in_strides[d];
      rest /= a.out_dims[d];
    }
    y[i] = x[src];
  }
}

struct SliceArgs {
  int rank = 0;
  int64_t out_dims[kMaxPermuteRank];
  int64_t in_strides[kMaxPermuteRank];
  int64_t starts[kMaxPermuteRank];
};

__global__ void slice_kernel(const uint32_t* x, uint32_t* y, int64_t n, SliceArgs a) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t rest = i, src = 0;
    for (int d = a.rank - 1; d >= 0; --d) {
      src += (rest % a.out_dims[d] + a.starts[d]) * a.in_strides[d];
      rest /= a.out_dims[d];
    }
    y[i] = x[src];
  }
}

template <typename From, typename To, typename Convert>
__global__ void convert_kernel(const From* x, To* y, int64_t n, Convert convert) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    y[i] = convert(x[i]);
  }
}

template <typename From>
struct ToFloat {
  __device__ float operator()(From v) const { return static_cast<float>(v); }
};

struct ToHalf {
  __device__ uint16_t operator()(float v) const { return __half_as_ushort(__float2half_rn(v)); }
};
struct FromHalf {
  __device__ float operator()(uint16_t v) const { return __half2float(__ushort_as_half(v)); }
};
struct ToBf16 {
  __device__ uint16_t operator()(float v) const {
    return __bfloat16_as_ushort(__float2bfloat16_rn(v));
  }
};
struct FromBf16 {
  __device__ float operator()(uint16_t v) const {
    return __bfloat162float(__ushort_as_bfloat16(v));
  }
};

int row_threads(int64_t cols) {
  int t = 32;
  while (t < 1024 && t < cols) t <<= 1;
  return t;
}

}  // namespace

Status bias_activation_f32(const float* x, const float* bias, float* y, int64_t rows, int64_t cols,
                           Activation act, cudaStream_t stream) {
  const int64_t n = rows * cols;
  if (n == 0) return Status::ok_status();
  bias_activation_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, bias, y, n, cols, act);
  return launched("bias_activation_f32");
}

Status channel_bias_activation_f32(const float* x, const float* bias, float* y, int64_t n,
                                   int64_t c, int64_t hw, Activation act, cudaStream_t stream) {
  const int64_t total = n * c * hw;
  if (total == 0) return Status::ok_status();
  channel_bias_activation_kernel<<<blocks_for(total), kThreads, 0, stream>>>(x, bias, y, total, c,
                                                                             hw, act);
  return launched("channel_bias_activation_f32");
}

Status scaled_masked_softmax_f32(float* scores, const float* mask, int64_t batch, int64_t heads,
                                 int64_t rows, int64_t cols, float scale, cudaStream_t stream) {
  const int64_t blocks = batch * heads * rows;
  if (blocks == 0 || cols == 0) return Status::ok_status();
  scaled_masked_softmax_kernel<<<static_cast<unsigned>(blocks), row_threads(cols), 0, stream>>>(
      scores, mask, heads, rows, cols, scale);
  return launched("scaled_masked_softmax_f32");
}

Status gather_rows_f32(const float* table, int64_t vocab, int64_t dim, const int64_t* indices,
                       int64_t count, float* out, int* bad_index, cudaStream_t stream) {
  const int64_t n = count * dim;
  if (n == 0) return Status::ok_status();
  gather_rows_kernel<<<blocks_for(n), kThreads, 0, stream>>>(table, vocab, dim, indices, count, out,
                                                             bad_index);
  return launched("gather_rows_f32");
}

Status row_mean_f32(const float* x, float* y, int64_t rows, int64_t cols, cudaStream_t stream) {
  if (rows == 0 || cols == 0) return Status::ok_status();
  row_mean_kernel<<<static_cast<unsigned>(rows), row_threads(cols), 0, stream>>>(x, y, cols);
  return launched("row_mean_f32");
}

Status max_pool_2d_f32(const float* x, float* y, const Pool2d& p, cudaStream_t stream) {
  const int64_t n = p.n * p.c * p.out_h() * p.out_w();
  if (n <= 0) return Status::ok_status();
  pool_kernel<true><<<blocks_for(n), kThreads, 0, stream>>>(x, y, p, p.out_h(), p.out_w());
  return launched("max_pool_2d_f32");
}

Status avg_pool_2d_f32(const float* x, float* y, const Pool2d& p, cudaStream_t stream) {
  const int64_t n = p.n * p.c * p.out_h() * p.out_w();
  if (n <= 0) return Status::ok_status();
  pool_kernel<false><<<blocks_for(n), kThreads, 0, stream>>>(x, y, p, p.out_h(), p.out_w());
  return launched("avg_pool_2d_f32");
}

Status clip_f32(const float* x, float* y, int64_t n, float lo, float hi, cudaStream_t stream) {
  if (n == 0) return Status::ok_status();
  clip_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, y, n, lo, hi);
  return launched("clip_f32");
}

Status channel_scale_f32(const float* x, const float* scale, float* y, int64_t nc, int64_t hw,
                         cudaStream_t stream) {
  const int64_t n = nc * hw;
  if (n == 0) return Status::ok_status();
  channel_scale_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, scale, y, n, hw);
  return launched("channel_scale_f32");
}

Status copy_2d(const void* src, size_t src_pitch, void* dst, size_t dst_pitch, size_t row_bytes,
               size_t rows, cudaStream_t stream) {
  if (rows == 0 || row_bytes == 0) return Status::ok_status();
  return cuda_status(cudaMemcpy2DAsync(dst, dst_pitch, src, src_pitch, row_bytes, rows,
                                       cudaMemcpyDeviceToDevice, stream),
                     "cudaMemcpy2DAsync");
}

Status resize_2d_f32(const float* x, float* y, int64_t planes, int64_t in_h, int64_t in_w,
                     int64_t out_h, int64_t out_w, ResizeMode mode, cudaStream_t stream) {
  const int64_t n = planes * out_h * out_w;
  if (n == 0 || in_h == 0 || in_w == 0) return Status::ok_status();
  resize_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, y, planes, in_h, in_w, out_h, out_w,
                                                        mode);
  return launched("resize_2d_f32");
}

Status fused_epilogue_f32(const float* x, const float* bias, const float* z, float* y, int64_t n,
                          int64_t c, int64_t hw, const Epilogue& epilogue, cudaStream_t stream) {
  if (n == 0) return Status::ok_status();
  if (bias != nullptr && (c <= 0 || hw <= 0)) {
    return invalid_argument("fused_epilogue_f32: c and hw must be positive with a bias");
  }
  fused_epilogue_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, bias, z, y, n, c > 0 ? c : 1,
                                                                hw > 0 ? hw : 1, epilogue);
  return launched("fused_epilogue_f32");
}

Status broadcast_binary_f32(const float* a, const float* b, float* y, int64_t n, int64_t b_period,
                            int64_t b_repeat, BinaryOp op, bool b_first, cudaStream_t stream) {
  if (n == 0) return Status::ok_status();
  if (b_period <= 0 || b_repeat <= 0) {
    return invalid_argument("broadcast_binary_f32: period and repeat must be positive");
  }
  broadcast_binary_kernel<<<blocks_for(n), kThreads, 0, stream>>>(a, b, y, n, b_period, b_repeat,
                                                                  op, b_first);
  return launched("broadcast_binary_f32");
}

__global__ void broadcast_copy_kernel(const float* b, float* y, int64_t n, int64_t period,
                                      int64_t repeat) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    y[i] = b[(i / repeat) % period];
  }
}

Status broadcast_copy_f32(const float* b, float* y, int64_t n, int64_t b_period, int64_t b_repeat,
                          cudaStream_t stream) {
  if (n == 0) return Status::ok_status();
  if (b_period <= 0 || b_repeat <= 0) {
    return invalid_argument("broadcast_copy_f32: period and repeat must be positive");
  }
  broadcast_copy_kernel<<<blocks_for(n), kThreads, 0, stream>>>(b, y, n, b_period, b_repeat);
  return launched("broadcast_copy_f32");
}

Status add_f32(const float* a, const float* b, float* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return Status::ok_status();
  binary_kernel<<<blocks_for(n), kThreads, 0, stream>>>(a, b, y, n, AddOp{});
  return launched("add_f32");
}

Status mul_f32(const float* a, const float* b, float* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return Status::ok_status();
  binary_kernel<<<blocks_for(n), kThreads, 0, stream>>>(a, b, y, n, MulOp{});
  return launched("mul_f32");
}

Status softmax_rows_f32(const float* x, float* y, int64_t rows, int64_t cols, cudaStream_t stream) {
  if (rows == 0 || cols == 0) return Status::ok_status();
  softmax_kernel<<<static_cast<unsigned>(rows), row_threads(cols), 0, stream>>>(x, y, cols);
  return launched("softmax_rows_f32");
}

Status layer_norm_f32(const float* x, const float* residual, const float* gamma, const float* beta,
                      float* y, int64_t rows, int64_t cols, float epsilon, cudaStream_t stream) {
  if (rows == 0 || cols == 0) return Status::ok_status();
  layer_norm_kernel<<<static_cast<unsigned>(rows), row_threads(cols), 0, stream>>>(
      x, residual, gamma, beta, y, cols, epsilon);
  return launched("layer_norm_f32");
}

Status gather_axis_32bit(const void* data, int64_t outer, int64_t axis_dim, int64_t inner,
                         const int64_t* indices, int64_t count, void* out, int* flag,
                         int flag_value, cudaStream_t stream) {
  const int64_t n = outer * count * inner;
  if (n == 0) return Status::ok_status();
  gather_axis_kernel<<<blocks_for(n), kThreads, 0, stream>>>(
      static_cast<const uint32_t*>(data), axis_dim, inner, indices, count,
      static_cast<uint32_t*>(out), n, flag, flag_value);
  return launched("gather_axis_32bit");
}

Status reduce_axis_f32(const float* x, float* y, int64_t outer, int64_t r, int64_t inner,
                       ReduceKind kind, cudaStream_t stream) {
  const int64_t n = outer * inner;
  if (n == 0) return Status::ok_status();
  reduce_axis_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, y, outer, r, inner, kind);
  return launched("reduce_axis_f32");
}

Status slice_32bit(const void* x, void* y, int rank, const int64_t* in_dims, const int64_t* starts,
                   const int64_t* out_dims, cudaStream_t stream) {
  if (rank < 1 || rank > kMaxPermuteRank) {
    return invalid_argument("slice_32bit: rank " + std::to_string(rank) + " is not 1.." +
                            std::to_string(kMaxPermuteRank));
  }
  SliceArgs a;
  a.rank = rank;
  int64_t stride = 1, n = 1;
  for (int d = rank - 1; d >= 0; --d) {
    a.in_strides[d] = stride;
    stride *= in_dims[d];
    a.out_dims[d] = out_dims[d];
    a.starts[d] = starts[d];
    n *= out_dims[d];
  }
  if (n == 0) return Status::ok_status();
  slice_kernel<<<blocks_for(n), kThreads, 0, stream>>>(static_cast<const uint32_t*>(x),
                                                       static_cast<uint32_t*>(y), n, a);
  return launched("slice_32bit");
}

Status permute_32bit(const void* x, void* y, int rank, const int64_t* dims, const int64_t* perm,
                     cudaStream_t stream) {
  if (rank < 1 || rank > kMaxPermuteRank) {
    return invalid_argument("permute_32bit: rank " + std::to_string(rank) + " is not 1.." +
                            std::to_string(kMaxPermuteRank));
  }
  PermuteArgs a;
  a.rank = rank;
  int64_t strides[kMaxPermuteRank];
  int64_t n = 1;
  for (int d = rank - 1; d >= 0; --d) {
    strides[d] = n;
    n *= dims[d];
  }
  for (int d = 0; d < rank; ++d) {
    if (perm[d] < 0 || perm[d] >= rank) return invalid_argument("permute_32bit: bad permutation");
    a.out_dims[d] = dims[perm[d]];
    a.in_strides[d] = strides[perm[d]];
  }
  if (n == 0) return Status::ok_status();
  permute_kernel<<<blocks_for(n), kThreads, 0, stream>>>(static_cast<const uint32_t*>(x),
                                                         static_cast<uint32_t*>(y), n, a);
  return launched("permute_32bit");
}

Status transpose_f32(const float* x, float* y, int64_t rows, int64_t cols, cudaStream_t stream) {
  if (rows == 0 || cols == 0) return Status::ok_status();
  const dim3 grid(static_cast<unsigned>((cols + kTile - 1) / kTile),
                  static_cast<unsigned>((rows + kTile - 1) / kTile));
  transpose_kernel<<<grid, dim3(kTile, 8), 0, stream>>>(x, y, rows, cols);
  return launched("transpose_f32");
}

Status i64_to_f32(const int64_t* x, float* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return Status::ok_status();
  convert_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, y, n, ToFloat<int64_t>{});
  return launched("i64_to_f32");
}

Status i32_to_f32(const int32_t* x, float* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return Status::ok_status();
  convert_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, y, n, ToFloat<int32_t>{});
  return launched("i32_to_f32");
}

Status u8_to_f32(const uint8_t* x, float* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return Status::ok_status();
  convert_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, y, n, ToFloat<uint8_t>{});
  return launched("u8_to_f32");
}

Status f32_to_f16(const float* x, uint16_t* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return Status::ok_status();
  convert_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, y, n, ToHalf{});
  return launched("f32_to_f16");
}

Status f16_to_f32(const uint16_t* x, float* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return Status::ok_status();
  convert_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, y, n, FromHalf{});
  return launched("f16_to_f32");
}

Status f32_to_bf16(const float* x, uint16_t* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return Status::ok_status();
  convert_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, y, n, ToBf16{});
  return launched("f32_to_bf16");
}

Status bf16_to_f32(const uint16_t* x, float* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return Status::ok_status();
  convert_kernel<<<blocks_for(n), kThreads, 0, stream>>>(x, y, n, FromBf16{});
  return launched("bf16_to_f32");
}

}  // namespace modelhost::engine::cuda

// The engine's own CUDA kernels, as host-callable launchers (the definitions are in kernels.cu,
// compiled by nvcc). Each launches on `stream` and returns at once; errors in the launch
// configuration come back as Status, errors during execution at the next synchronization.
// Shapes are row-major; `rows` x `cols` means `cols` is the innermost (contiguous) dimension.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "common/status.h"

namespace modelhost::engine::cuda {

enum class Activation {
  kNone,
  kRelu,
  kGelu,
  kSigmoid,
  kSilu,
  kTanh,
  // With parameters (Epilogue's alpha, beta): only in fused_epilogue_f32.
  kClip,         // min(max(x, alpha), beta)
  kLeakyRelu,    // x >= 0 ? x : alpha * x
  kHardSigmoid,  // max(0, min(1, alpha * x + beta))
  kHardSwish,    // x * max(0, min(1, x / 6 + 0.5))
};

// What follows a fused convolution or matmul: y = act(x + bias[channel] + z), the formulas of the
// CPU kernels' (cpu/activation.h), so a node computes the same on either side.
struct Epilogue {
  Activation act = Activation::kNone;
  float alpha = 0.f, beta = 0.f;
};

// y[i] = act(x[i] + bias[(i / hw) % c] + z[i]) over n elements; bias and z may be null, and
// y may be x (in place). For NCHW, c channels of hw elements; for rows of a matmul, hw = 1 and
// c = the row length.
Status fused_epilogue_f32(const float* x, const float* bias, const float* z, float* y, int64_t n,
                          int64_t c, int64_t hw, const Epilogue& epilogue, cudaStream_t stream);

// y[i] = a[i] op b[(i / b_repeat) % b_period]: the broadcasts of the models we serve (same
// shape: period n, repeat 1; a trailing-dims operand like a bias row or position embeddings:
// period = its size; an NCHW per-channel [N, C, 1, 1] operand: period N*C, repeat H*W; a
// scalar: period 1). `b_first` computes b op a instead (Sub and Div are not commutative).
enum class BinaryOp { kAdd, kSub, kMul, kDiv };
// y[i] = b[(i / b_repeat) % b_period] (Expand).
Status broadcast_copy_f32(const float* b, float* y, int64_t n, int64_t b_period, int64_t b_repeat,
                          cudaStream_t stream);
Status broadcast_binary_f32(const float* a, const float* b, float* y, int64_t n, int64_t b_period,
                            int64_t b_repeat, BinaryOp op, bool b_first, cudaStream_t stream);

// y[i] = act(x[i] + bias[i % cols]); bias may be null. In place (y == x) is allowed.
Status bias_activation_f32(const float* x, const float* bias, float* y, int64_t rows, int64_t cols,
                           Activation act, cudaStream_t stream);

// NCHW: y = act(x + bias[c]) where c is the channel of each element (x is n x c x hw); bias may
// be null. In place allowed. (A convolution's bias and activation.)
Status channel_bias_activation_f32(const float* x, const float* bias, float* y, int64_t n,
                                   int64_t c, int64_t hw, Activation act, cudaStream_t stream);

// Attention scores, in place: for each of `batch * heads` blocks of `rows` x `cols` scores,
// s = softmax(s * scale + mask[b, col]) over each row, where mask (batch x cols, additive, e.g.
// 0 or -10000 for padding) may be null.
Status scaled_masked_softmax_f32(float* scores, const float* mask, int64_t batch, int64_t heads,
                                 int64_t rows, int64_t cols, float scale, cudaStream_t stream);

// Embedding lookup: out[i, :] = table[indices[i], :] for a `vocab` x `dim` table. An index outside
// [-vocab, vocab) writes zeros and sets *bad_index (device memory, may be null) to 1, which the
// caller checks when the run synchronizes (ONNX Gather makes it an error).
Status gather_rows_f32(const float* table, int64_t vocab, int64_t dim, const int64_t* indices,
                       int64_t count, float* out, int* bad_index, cudaStream_t stream);

// Gather along any axis of 32-bit data viewed as [outer, axis_dim, inner]: out[o, i, :] =
// data[o, indices[i], :] for `count` indices (negative ones count from the end). An index out of
// range writes zeros and sets *flag (device memory, may be null) to `flag_value`.
Status gather_axis_32bit(const void* data, int64_t outer, int64_t axis_dim, int64_t inner,
                         const int64_t* indices, int64_t count, void* out, int* flag,
                         int flag_value, cudaStream_t stream);

// Reduction of the middle dim of x viewed as [outer, r, inner] into y [outer, inner]: ReduceSum,
// ReduceMean, ReduceMax and ReduceL2 over one axis or a run of adjacent axes.
enum class ReduceKind { kSum, kMean, kMax, kL2 };
Status reduce_axis_f32(const float* x, float* y, int64_t outer, int64_t r, int64_t inner,
                       ReduceKind kind, cudaStream_t stream);

// Mean of each row (GlobalAveragePool on NCHW with rows = n * c and cols = h * w, ReduceMean
// over the last axis).
Status row_mean_f32(const float* x, float* y, int64_t rows, int64_t cols, cudaStream_t stream);

// MaxPool / AveragePool 2-D on NCHW (padding never counts in the average: ONNX's
// count_include_pad = 0).
struct Pool2d {
  int64_t n = 1, c = 1, h = 1, w = 1;
  int64_t kh = 1, kw = 1, stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;
  int64_t out_h() const { return (h + 2 * pad_h - kh) / stride_h + 1; }
  int64_t out_w() const { return (w + 2 * pad_w - kw) / stride_w + 1; }
};
Status max_pool_2d_f32(const float* x, float* y, const Pool2d& p, cudaStream_t stream);
Status avg_pool_2d_f32(const float* x, float* y, const Pool2d& p, cudaStream_t stream);

// y[i] = min(max(x[i], lo), hi): Clip, and ReLU6 (0, 6) of MobileNet. In place allowed.
Status clip_f32(const float* x, float* y, int64_t n, float lo, float hi, cudaStream_t stream);

// NCHW squeeze-and-excitation scaling: y[n, c, :] = x[n, c, :] * scale[n, c] (x is nc x hw).
Status channel_scale_f32(const float* x, const float* scale, float* y, int64_t nc, int64_t hw,
                         cudaStream_t stream);

// A 2-D block copy on the device (row pitches in bytes): Concat and Slice along any axis are
// `rows` copies of `row_bytes` contiguous bytes between tensors of different strides.
Status copy_2d(const void* src, size_t src_pitch, void* dst, size_t dst_pitch, size_t row_bytes,
               size_t rows, cudaStream_t stream);

// Resize on NCHW (planes = n * c): nearest (round_prefer_floor, asymmetric) or bilinear
// (half_pixel, ONNX's defaults for the two modes in the models we serve).
enum class ResizeMode { kNearest, kLinear };
Status resize_2d_f32(const float* x, float* y, int64_t planes, int64_t in_h, int64_t in_w,
                     int64_t out_h, int64_t out_w, ResizeMode mode, cudaStream_t stream);

// y[i] = a[i] + b[i] (n elements), or a[i] * b[i].
Status add_f32(const float* a, const float* b, float* y, int64_t n, cudaStream_t stream);
Status mul_f32(const float* a, const float* b, float* y, int64_t n, cudaStream_t stream);

// Softmax over each row of `cols` elements (numerically stable: the row max is subtracted).
Status softmax_rows_f32(const float* x, float* y, int64_t rows, int64_t cols, cudaStream_t stream);

// Layer normalization over each row: (x - mean) / sqrt(var + epsilon) * gamma + beta, with
// optional `residual` added to x first (BERT's Add + LayerNormalization). gamma/beta have `cols`
// elements; beta and residual may be null.
Status layer_norm_f32(const float* x, const float* residual, const float* gamma, const float* beta,
                      float* y, int64_t rows, int64_t cols, float epsilon, cudaStream_t stream);

// Transpose of a tensor of rank <= 6 (32-bit elements): y's dim i is x's dim perm[i].
constexpr int kMaxPermuteRank = 6;
Status permute_32bit(const void* x, void* y, int rank, const int64_t* dims, const int64_t* perm,
                     cudaStream_t stream);

// A box of a tensor of rank <= 6 (32-bit elements): y[i...] = x[i + start...] with y's dims
// out_dims (Slice with step 1).
Status slice_32bit(const void* x, void* y, int rank, const int64_t* in_dims, const int64_t* starts,
                   const int64_t* out_dims, cudaStream_t stream);

// y = x^T for a rows x cols matrix (y is cols x rows).
Status transpose_f32(const float* x, float* y, int64_t rows, int64_t cols, cudaStream_t stream);

// Cast to float32 (ONNX Cast with to = FLOAT) from int64, int32 or bool (one byte per value).
Status i64_to_f32(const int64_t* x, float* y, int64_t n, cudaStream_t stream);
Status i32_to_f32(const int32_t* x, float* y, int64_t n, cudaStream_t stream);
Status u8_to_f32(const uint8_t* x, float* y, int64_t n, cudaStream_t stream);

// Conversions for the fp16 / bf16 precision modes (inputs and outputs keep their declared dtypes;
// these convert at the boundaries). `half` and `bf16` are 16-bit storage.
Status f32_to_f16(const float* x, uint16_t* y, int64_t n, cudaStream_t stream);
Status f16_to_f32(const uint16_t* x, float* y, int64_t n, cudaStream_t stream);
Status f32_to_bf16(const float* x, uint16_t* y, int64_t n, cudaStream_t stream);
Status bf16_to_f32(const uint16_t* x, float* y, int64_t n, cudaStream_t stream);

}  // namespace modelhost::engine::cuda

// 2-D convolution through cuDNN (NCHW, groups, padding, strides, dilations) followed by the
// per-channel bias and activation (ReLU, SiLU, ...) in our own kernel. A ConvPlan is made once per
// node and shape (descriptors, the fastest algorithm cuDNN reports, its workspace size) and run
// many times. Built only when cuDNN is found next to the CUDA toolkit.
#pragma once

#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <cstdint>
#include <memory>

#include "common/status.h"
#include "engine/cuda/gemm.h"
#include "engine/cuda/kernels.h"

namespace modelhost::engine::cuda {

struct ConvShape {
  int64_t n = 1, c = 1, h = 1, w = 1;  // input
  int64_t k = 1, r = 1, s = 1;         // output channels, kernel height and width
  int64_t pad_h = 0, pad_w = 0, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int64_t groups = 1;
  int64_t out_h() const { return (h + 2 * pad_h - dilation_h * (r - 1) - 1) / stride_h + 1; }
  int64_t out_w() const { return (w + 2 * pad_w - dilation_w * (s - 1) - 1) / stride_w + 1; }
};

// One cuDNN handle bound to a stream; not thread-safe.
class Cudnn {
 public:
  static Result<std::shared_ptr<Cudnn>> create(cudaStream_t stream);
  ~Cudnn();
  cudnnHandle_t get() const { return handle_; }

 private:
  explicit Cudnn(cudnnHandle_t h) : handle_(h) {}
  cudnnHandle_t handle_ = nullptr;
};

class ConvPlan {
 public:
  // fp32 (with TF32 allowed for kTf32) or fp16 storage; accumulation in float32.
  static Result<std::unique_ptr<ConvPlan>> create(std::shared_ptr<Cudnn> cudnn,
                                                  const ConvShape& shape, Precision precision);
  ~ConvPlan();
  size_t workspace_bytes() const { return workspace_bytes_; }
  const char* algorithm_name() const;

  // y = act(conv(x, w) + bias[c]); bias (float32, k values) may be null. fp16 plans take fp16
  // x, w, y and apply the bias and activation... only for float32 y (else pass null and
  // Activation::kNone).
  Status run(const void* x, const void* w, const float* bias, void* y, Activation act,
             void* workspace, cudaStream_t stream) const;

 private:
  ConvPlan() = default;
  std::shared_ptr<Cudnn> cudnn_;
  ConvShape shape_;
  Precision precision_ = Precision::kFp32;
  cudnnTensorDescriptor_t x_desc_ = nullptr, y_desc_ = nullptr;
  cudnnFilterDescriptor_t w_desc_ = nullptr;
  cudnnConvolutionDescriptor_t conv_desc_ = nullptr;
  cudnnConvolutionFwdAlgo_t algo_ = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  size_t workspace_bytes_ = 0;
};

}  // namespace modelhost::engine::cuda

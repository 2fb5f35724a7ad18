// See conv.h. The legacy cuDNN convolution API (still in cuDNN 9's cnn library): descriptors,
// cudnnGetConvolutionForwardAlgorithm_v7 for the algorithm, cudnnConvolutionForward to run.
#include "engine/cuda/conv.h"

#include <string>

namespace modelhost::engine::cuda {
namespace {

Status dnn_status(cudnnStatus_t st, const char* what) {
  if (st == CUDNN_STATUS_SUCCESS) return Status::ok_status();
  return internal_error(std::string(what) + ": " + cudnnGetErrorString(st));
}

#define DNN_RETURN_IF_ERROR(expr, what)                                                        \
  do {                                                                                         \
    if (cudnnStatus_t _st = (expr); _st != CUDNN_STATUS_SUCCESS) return dnn_status(_st, what); \
  } while (0)

}  // namespace

Result<std::shared_ptr<Cudnn>> Cudnn::create(cudaStream_t stream) {
  cudnnHandle_t h = nullptr;
  DNN_RETURN_IF_ERROR(cudnnCreate(&h), "cudnnCreate");
  auto owner = std::shared_ptr<Cudnn>(new Cudnn(h));
  DNN_RETURN_IF_ERROR(cudnnSetStream(h, stream), "cudnnSetStream");
  return owner;
}

Cudnn::~Cudnn() {
  if (handle_ != nullptr) cudnnDestroy(handle_);
}

Result<std::unique_ptr<ConvPlan>> ConvPlan::create(std::shared_ptr<Cudnn> cudnn,
                                                   const ConvShape& sh, Precision precision) {
  if (precision == Precision::kBf16) {
    return unimplemented("convolution in bf16 is not supported yet; use fp32, tf32 or fp16");
  }
  if (sh.c % sh.groups != 0 || sh.k % sh.groups != 0) {
    return invalid_argument("convolution channels (" + std::to_string(sh.c) + " in, " +
                            std::to_string(sh.k) + " out) are not divisible by groups " +
                            std::to_string(sh.groups));
  }
  std::unique_ptr<ConvPlan> p(new ConvPlan());
  p->cudnn_ = std::move(cudnn);
  p->shape_ = sh;
  p->precision_ = precision;
  const cudnnDataType_t type = precision == Precision::kFp16 ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
  auto i = [](int64_t v) { return static_cast<int>(v); };
  DNN_RETURN_IF_ERROR(cudnnCreateTensorDescriptor(&p->x_desc_), "CreateTensorDescriptor");
  DNN_RETURN_IF_ERROR(cudnnCreateTensorDescriptor(&p->y_desc_), "CreateTensorDescriptor");
  DNN_RETURN_IF_ERROR(cudnnCreateFilterDescriptor(&p->w_desc_), "CreateFilterDescriptor");
  DNN_RETURN_IF_ERROR(cudnnCreateConvolutionDescriptor(&p->conv_desc_),
                      "CreateConvolutionDescriptor");
  DNN_RETURN_IF_ERROR(cudnnSetTensor4dDescriptor(p->x_desc_, CUDNN_TENSOR_NCHW, type, i(sh.n),
                                                 i(sh.c), i(sh.h), i(sh.w)),
                      "SetTensor4dDescriptor x");
  DNN_RETURN_IF_ERROR(cudnnSetFilter4dDescriptor(p->w_desc_, type, CUDNN_TENSOR_NCHW, i(sh.k),
                                                 i(sh.c / sh.groups), i(sh.r), i(sh.s)),
                      "SetFilter4dDescriptor");
  DNN_RETURN_IF_ERROR(
      cudnnSetConvolution2dDescriptor(p->conv_desc_, i(sh.pad_h), i(sh.pad_w), i(sh.stride_h),
                                      i(sh.stride_w), i(sh.dilation_h), i(sh.dilation_w),
                                      CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
      "SetConvolution2dDescriptor");
  DNN_RETURN_IF_ERROR(cudnnSetConvolutionGroupCount(p->conv_desc_, i(sh.groups)),
                      "SetConvolutionGroupCount");
  // fp32 without TF32 must not use tensor-op conversions; tf32 and fp16 may use tensor cores.
  const cudnnMathType_t math =
      precision == Precision::kFp32 ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH;
  DNN_RETURN_IF_ERROR(cudnnSetConvolutionMathType(p->conv_desc_, math), "SetConvolutionMathType");
  DNN_RETURN_IF_ERROR(cudnnSetTensor4dDescriptor(p->y_desc_, CUDNN_TENSOR_NCHW, type, i(sh.n),
                                                 i(sh.k), i(sh.out_h()), i(sh.out_w())),
                      "SetTensor4dDescriptor y");
  cudnnConvolutionFwdAlgoPerf_t perf[8];
  int found = 0;
  DNN_RETURN_IF_ERROR(
      cudnnGetConvolutionForwardAlgorithm_v7(p->cudnn_->get(), p->x_desc_, p->w_desc_,
                                             p->conv_desc_, p->y_desc_, 8, &found, perf),
      "GetConvolutionForwardAlgorithm_v7");
  bool chosen = false;
  for (int j = 0; j < found; ++j) {
    if (perf[j].status == CUDNN_STATUS_SUCCESS) {
      p->algo_ = perf[j].algo;
      p->workspace_bytes_ = perf[j].memory;
      chosen = true;
      break;
    }
  }
  if (!chosen) return unimplemented("cuDNN has no algorithm for this convolution");
  return p;
}

ConvPlan::~ConvPlan() {
  if (x_desc_ != nullptr) cudnnDestroyTensorDescriptor(x_desc_);
  if (y_desc_ != nullptr) cudnnDestroyTensorDescriptor(y_desc_);
  if (w_desc_ != nullptr) cudnnDestroyFilterDescriptor(w_desc_);
  if (conv_desc_ != nullptr) cudnnDestroyConvolutionDescriptor(conv_desc_);
}

const char* ConvPlan::algorithm_name() const {
  switch (algo_) {
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM:
      return "implicit_gemm";
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM:
      return "implicit_precomp_gemm";
    case CUDNN_CONVOLUTION_FWD_ALGO_GEMM:
      return "gemm";
    case CUDNN_CONVOLUTION_FWD_ALGO_DIRECT:
      return "direct";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT:
      return "fft";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING:
      return "fft_tiling";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD:
      return "winograd";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED:
      return "winograd_nonfused";
    default:
      return "other";
  }
}

Status ConvPlan::run(const void* x, const void* w, const float* bias, void* y, Activation act,
                     void* workspace, cudaStream_t stream) const {
  const float alpha = 1.f, beta = 0.f;
  DNN_RETURN_IF_ERROR(cudnnSetStream(cudnn_->get(), stream), "cudnnSetStream");
  DNN_RETURN_IF_ERROR(
      cudnnConvolutionForward(cudnn_->get(), &alpha, x_desc_, x, w_desc_, w, conv_desc_, algo_,
                              workspace, workspace_bytes_, &beta, y_desc_, y),
      "cudnnConvolutionForward");
  if (bias == nullptr && act == Activation::kNone) return Status::ok_status();
  if (precision_ == Precision::kFp16) {
    return unimplemented(
        "the fused bias/activation after an fp16 convolution is not supported yet");
  }
  return channel_bias_activation_f32(static_cast<float*>(y), bias, static_cast<float*>(y), shape_.n,
                                     shape_.k, shape_.out_h() * shape_.out_w(), act, stream);
}

}  // namespace modelhost::engine::cuda

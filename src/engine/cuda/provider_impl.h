// The CUDA provider's insides, shared by provider.cc and the kernels in ops.cc.
//
// A run takes a Lane: a stream, a device arena (reset at the start of each run, so a run's
// intermediates cost a bump of an offset), a cuBLASLt handle, a cuDNN handle with its
// convolution plans, and a device word kernels set to report bad data (an out-of-range Gather
// index), read once at the end of the run. Lanes are made on demand, one per run in flight at
// once, and kept.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/cuda/gemm.h"
#include "engine/cuda/precision.h"
#include "engine/cuda/runtime.h"
#include "engine/exec/device.h"
#ifdef MODELHOST_HAVE_CUDNN
#include "engine/cuda/conv.h"
#endif

namespace modelhost::engine::cuda {

// Codes kernels write into the lane's flag word (the first bad one is reported).
enum FlagCode : int { kFlagNone = 0, kFlagGatherIndex = 1 };

struct Lane {
  explicit Lane(int device)
      : arena(device), staging(device, 16ull << 20, ArenaMemory::kPinnedHost) {}
  std::unique_ptr<Stream> stream;
  DeviceArena arena;
  DeviceArena staging;  // pinned host memory the copies in and out go through; reset per run
  std::unique_ptr<LtGemm> gemm;
#ifdef MODELHOST_HAVE_CUDNN
  std::shared_ptr<Cudnn> cudnn;
  // One plan per convolution node and input shape (keyed by the kernel and the shape).
  std::map<std::pair<const void*, std::vector<int64_t>>, std::unique_ptr<ConvPlan>> conv_plans;
#endif
  std::unique_ptr<DeviceBuffer> flag;       // int
  std::unique_ptr<PinnedBuffer> flag_host;  // int
  // The runs captured on this lane (exec/device.h); last, so destroyed before what they use.
  std::map<std::string, exec::CapturedRun> graphs;
};

class CudaProvider;

class CudaRun final : public exec::DeviceRun {
 public:
  CudaRun(std::unique_ptr<Lane> lane, const CudaProvider* provider)
      : lane_(std::move(lane)), provider_(provider) {
    graphs = &lane_->graphs;
  }

  cudaStream_t stream() const { return lane_->stream->get(); }
  Precision precision() const;
  LtGemm& gemm() { return *lane_->gemm; }
  Lane& lane() { return *lane_; }
  int* flag() { return static_cast<int*>(lane_->flag->data()); }
  // A device tensor of the run's arena (valid until the run ends).
  Result<Tensor> output(DataType dtype, Shape shape);
  // `bytes` of scratch device memory for the rest of the run.
  Result<void*> scratch(size_t bytes);
  // `bytes` of pinned host memory for a copy, for the rest of the run.
  Result<void*> staging(size_t bytes) { return lane_->staging.allocate(bytes > 0 ? bytes : 1); }
  // The fp16/bf16 copy made at load time of the float32 weight at `f32`, or null.
  const void* narrow_weight(const void* f32) const;

  std::unique_ptr<Lane> release() { return std::move(lane_); }

 private:
  std::unique_ptr<Lane> lane_;
  const CudaProvider* provider_;
};

// The device kernels (ops.cc).
void register_ops(exec::KernelRegistry& registry);

// How the binary ops' kernel reads `small` broadcast into `big`: small[(i / repeat) % period]
// for element i of big. True when small's dims other than 1 (right-aligned) are one run of big's
// dims (a 1 on both sides does not break a run); false for the broadcasts it does not cover.
bool broadcast_pattern(const Shape& big, const Shape& small, int64_t& period, int64_t& repeat);

// ctx.device as the CUDA run, or an error for a kernel called without one.
Result<CudaRun*> cuda_run(const exec::KernelContext& ctx);

}  // namespace modelhost::engine::cuda

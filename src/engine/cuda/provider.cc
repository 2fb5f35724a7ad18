// See provider.h and provider_impl.h.
#include "engine/cuda/provider.h"

#include <cuda_runtime.h>

#include <cstring>

#include "engine/cuda/graph.h"
#include "engine/cuda/kernels.h"
#include "engine/cuda/provider_impl.h"
#include "engine/ir/tensor_alloc.h"

namespace modelhost::engine::cuda {

struct CudaGraph final : exec::DeviceGraph {
  explicit CudaGraph(CapturedGraph g) : graph(std::move(g)) {}
  CapturedGraph graph;
};

class CudaProvider final : public exec::DeviceProvider {
 public:
  static Result<std::shared_ptr<CudaProvider>> create(int index, Precision precision) {
    std::string why;
    const int count = device_count(&why);
    if (count == 0) return unavailable("no CUDA device: " + why);
    if (index < 0 || index >= count) {
      return invalid_argument("cuda:" + std::to_string(index) +
                              " does not exist; this process sees " + std::to_string(count) +
                              " CUDA device(s)");
    }
    ASSIGN_OR_RETURN(DeviceInfo info, device_info(index));
    std::shared_ptr<CudaProvider> p(new CudaProvider());
    p->device_ = index;
    p->precision_ = precision;
    p->name_ =
        "cuda:" + std::to_string(index) + " (" + info.name + ", " + precision_name(precision) + ")";
    register_ops(p->kernels_);
    MODELHOST_CUDA_RETURN_IF_ERROR(cudaSetDevice(index), "cudaSetDevice");
    ASSIGN_OR_RETURN(Stream s, Stream::create(index));
    p->load_stream_ = std::make_unique<Stream>(std::move(s));
    return p;
  }

  const std::string& name() const override { return name_; }
  const exec::KernelRegistry& kernels() const override { return kernels_; }
  Precision precision() const { return precision_; }

  Result<Tensor> upload(const Tensor& host) const override {
    MODELHOST_CUDA_RETURN_IF_ERROR(cudaSetDevice(device_), "cudaSetDevice");
    const size_t bytes = host.byte_size();
    ASSIGN_OR_RETURN(DeviceBuffer buf, DeviceBuffer::allocate(bytes > 0 ? bytes : 1));
    auto owner = std::make_shared<DeviceBuffer>(std::move(buf));
    cudaStream_t s = load_stream_->get();
    if (bytes > 0) RETURN_IF_ERROR(owner->upload(host.raw_data(), bytes, s));
    // fp16 / bf16: the matrices (rank >= 2: matmul and convolution weights) also get a 16-bit
    // copy, made once here, which the GEMMs and convolutions read.
    const bool narrow = (precision_ == Precision::kFp16 || precision_ == Precision::kBf16) &&
                        host.dtype() == DataType::kFloat32 && host.rank() >= 2 && bytes > 0;
    if (narrow) {
      const int64_t n = host.num_elements();
      ASSIGN_OR_RETURN(DeviceBuffer half, DeviceBuffer::allocate(static_cast<size_t>(n) * 2));
      const auto* src = static_cast<const float*>(owner->data());
      auto* dst = static_cast<uint16_t*>(half.data());
      RETURN_IF_ERROR(precision_ == Precision::kFp16 ? f32_to_f16(src, dst, n, s)
                                                     : f32_to_bf16(src, dst, n, s));
      std::lock_guard<std::mutex> lock(narrow_mu_);
      narrow_[owner->data()] = std::make_shared<DeviceBuffer>(std::move(half));
    }
    RETURN_IF_ERROR(load_stream_->synchronize());
    return Tensor::device_view(host.dtype(), host.shape(), owner->data(), owner);
  }

  const void* narrow_weight(const void* f32) const {
    std::lock_guard<std::mutex> lock(narrow_mu_);
    auto it = narrow_.find(f32);
    return it == narrow_.end() ? nullptr : it->second->data();
  }

  std::unique_ptr<exec::Kernel> copy_to_device() const override;
  std::unique_ptr<exec::Kernel> copy_to_host() const override;

  Result<std::unique_ptr<exec::DeviceRun>> begin_run() const override {
    MODELHOST_CUDA_RETURN_IF_ERROR(cudaSetDevice(device_), "cudaSetDevice");
    std::unique_ptr<Lane> lane;
    {
      std::lock_guard<std::mutex> lock(lanes_mu_);
      if (!idle_.empty()) {
        lane = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    if (lane == nullptr) {
      ASSIGN_OR_RETURN(lane, make_lane());
    }
    lane->arena.reset();
    lane->staging.reset();
    MODELHOST_CUDA_RETURN_IF_ERROR(
        cudaMemsetAsync(lane->flag->data(), 0, sizeof(int), lane->stream->get()),
        "cudaMemsetAsync (flag)");
    return std::unique_ptr<exec::DeviceRun>(std::make_unique<CudaRun>(std::move(lane), this));
  }

  Status end_run(std::unique_ptr<exec::DeviceRun> run) const override {
    auto* cuda = static_cast<CudaRun*>(run.get());
    Lane& lane = cuda->lane();
    Status st = cuda_status(cudaMemcpyAsync(lane.flag_host->data(), lane.flag->data(), sizeof(int),
                                            cudaMemcpyDeviceToHost, lane.stream->get()),
                            "cudaMemcpyAsync (flag)");
    if (st.ok()) st = lane.stream->synchronize();
    int flag = kFlagNone;
    if (st.ok()) flag = *static_cast<const int*>(lane.flag_host->data());
    if (st.ok()) {
      // A lane whose stream failed is dropped: its state is unknown.
      std::lock_guard<std::mutex> lock(lanes_mu_);
      idle_.push_back(cuda->release());
    }
    if (!st.ok()) return st;
    if (flag == kFlagGatherIndex) {
      return invalid_argument("Gather: an index is out of range of the table");
    }
    return Status::ok_status();
  }

  Status synchronize(exec::DeviceRun& run) const override {
    return static_cast<CudaRun&>(run).lane().stream->synchronize();
  }

  bool supports_graphs() const override { return true; }

  Result<std::unique_ptr<exec::DeviceGraph>> capture(
      exec::DeviceRun& run, const std::function<Status()>& work) const override {
    ASSIGN_OR_RETURN(CapturedGraph g,
                     CapturedGraph::capture(static_cast<CudaRun&>(run).stream(), work));
    return std::unique_ptr<exec::DeviceGraph>(std::make_unique<CudaGraph>(std::move(g)));
  }

  Status replay(exec::DeviceRun& run, const exec::DeviceGraph& graph) const override {
    return static_cast<const CudaGraph&>(graph).graph.replay(static_cast<CudaRun&>(run).stream());
  }

  Result<Tensor> pinned_copy(const Tensor& t) const override {
    const size_t bytes = t.byte_size();
    ASSIGN_OR_RETURN(PinnedBuffer b, PinnedBuffer::allocate(bytes > 0 ? bytes : 1));
    auto owner = std::make_shared<PinnedBuffer>(std::move(b));
    if (bytes > 0) std::memcpy(owner->data(), t.raw_data(), bytes);
    return Tensor::view(t.dtype(), t.shape(), owner->data(), owner);
  }

 private:
  CudaProvider() = default;

  Result<std::unique_ptr<Lane>> make_lane() const {
    auto lane = std::make_unique<Lane>(device_);
    ASSIGN_OR_RETURN(Stream s, Stream::create(device_));
    lane->stream = std::make_unique<Stream>(std::move(s));
    ASSIGN_OR_RETURN(LtGemm g, LtGemm::create());
    lane->gemm = std::make_unique<LtGemm>(std::move(g));
#ifdef MODELHOST_HAVE_CUDNN
    ASSIGN_OR_RETURN(lane->cudnn, Cudnn::create(lane->stream->get()));
#endif
    ASSIGN_OR_RETURN(DeviceBuffer flag, DeviceBuffer::allocate(sizeof(int)));
    lane->flag = std::make_unique<DeviceBuffer>(std::move(flag));
    ASSIGN_OR_RETURN(PinnedBuffer host, PinnedBuffer::allocate(sizeof(int)));
    lane->flag_host = std::make_unique<PinnedBuffer>(std::move(host));
    return lane;
  }

  int device_ = 0;
  Precision precision_ = Precision::kFp32;
  std::string name_;
  exec::KernelRegistry kernels_;
  std::unique_ptr<Stream> load_stream_;
  mutable std::mutex lanes_mu_;
  mutable std::vector<std::unique_ptr<Lane>> idle_;
  mutable std::mutex narrow_mu_;
  mutable std::unordered_map<const void*, std::shared_ptr<DeviceBuffer>> narrow_;
};

namespace {

// The planner's copy steps, through the lane's pinned staging memory: a copy in writes the host
// data there and queues the transfer (the host buffer is free again at once); a copy out
// transfers there, waits for the stream (a CPU node or the caller reads it next) and copies into
// an ordinary host tensor. While a graph is captured, a copy in reads its source directly: the
// graph's inputs are already staged at fixed pinned addresses (exec/device.h).
class CopyKernel final : public exec::Kernel {
 public:
  explicit CopyKernel(bool to_device) : to_device_(to_device) {}
  Status compute(const exec::KernelContext& ctx, std::span<const Tensor* const> inputs,
                 std::span<Tensor> outputs) const override {
    ASSIGN_OR_RETURN(CudaRun * run, cuda_run(ctx));
    const Tensor& x = *inputs[0];
    if (x.on_device() == to_device_) {
      return internal_error(std::string("copy to the ") + (to_device_ ? "device" : "host") +
                            " given a tensor already there");
    }
    const size_t bytes = x.byte_size();
    cudaStream_t stream = run->stream();
    if (to_device_) {
      ASSIGN_OR_RETURN(Tensor y, run->output(x.dtype(), x.shape()));
      if (bytes > 0) {
        cudaStreamCaptureStatus capturing = cudaStreamCaptureStatusNone;
        MODELHOST_CUDA_RETURN_IF_ERROR(cudaStreamIsCapturing(stream, &capturing),
                                       "cudaStreamIsCapturing");
        const void* src = x.raw_data();
        if (capturing == cudaStreamCaptureStatusNone) {
          ASSIGN_OR_RETURN(void* stage, run->staging(bytes));
          std::memcpy(stage, src, bytes);
          src = stage;
        }
        MODELHOST_CUDA_RETURN_IF_ERROR(
            cudaMemcpyAsync(y.mutable_raw_data(), src, bytes, cudaMemcpyHostToDevice, stream),
            "cudaMemcpyAsync (to the device)");
      }
      outputs[0] = std::move(y);
      return Status::ok_status();
    }
    Tensor y = allocate_uninitialized(x.dtype(), x.shape());
    if (bytes > 0) {
      ASSIGN_OR_RETURN(void* stage, run->staging(bytes));
      MODELHOST_CUDA_RETURN_IF_ERROR(
          cudaMemcpyAsync(stage, x.raw_data(), bytes, cudaMemcpyDeviceToHost, stream),
          "cudaMemcpyAsync (to the host)");
      MODELHOST_CUDA_RETURN_IF_ERROR(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
      std::memcpy(y.mutable_raw_data(), stage, bytes);
    }
    outputs[0] = std::move(y);
    return Status::ok_status();
  }

 private:
  bool to_device_;
};

}  // namespace

std::unique_ptr<exec::Kernel> CudaProvider::copy_to_device() const {
  return std::make_unique<CopyKernel>(true);
}
std::unique_ptr<exec::Kernel> CudaProvider::copy_to_host() const {
  return std::make_unique<CopyKernel>(false);
}

Precision CudaRun::precision() const { return provider_->precision(); }

Result<Tensor> CudaRun::output(DataType dtype, Shape shape) {
  ASSIGN_OR_RETURN(int64_t n, checked_num_elements(shape, dtype_size(dtype)));
  const size_t bytes = static_cast<size_t>(n) * dtype_size(dtype);
  ASSIGN_OR_RETURN(void* p, lane_->arena.allocate(bytes > 0 ? bytes : 1));
  return Tensor::device_view(dtype, std::move(shape), p, nullptr);
}

Result<void*> CudaRun::scratch(size_t bytes) {
  return lane_->arena.allocate(bytes > 0 ? bytes : 1);
}

const void* CudaRun::narrow_weight(const void* f32) const { return provider_->narrow_weight(f32); }

Result<CudaRun*> cuda_run(const exec::KernelContext& ctx) {
  if (ctx.device == nullptr) return internal_error("a CUDA kernel ran without a CUDA run");
  return static_cast<CudaRun*>(ctx.device);
}

Result<std::shared_ptr<const exec::DeviceProvider>> make_provider(int index, Precision precision) {
  ASSIGN_OR_RETURN(auto p, CudaProvider::create(index, precision));
  return std::shared_ptr<const exec::DeviceProvider>(std::move(p));
}

}  // namespace modelhost::engine::cuda

// See runtime.h.
#include "engine/cuda/runtime.h"

#include <charconv>
#include <cstdio>
#include <utility>

#include "engine/cuda/precision.h"

namespace modelhost::engine::cuda {

Status cuda_status(cudaError_t err, const char* what) {
  if (err == cudaSuccess) return Status::ok_status();
  return internal_error(std::string(what) + ": " + cudaGetErrorString(err));
}

int device_count(std::string* why_none) {
  int n = 0;
  const cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) {
    if (why_none != nullptr) *why_none = cudaGetErrorString(err);
    cudaGetLastError();  // clear it
    return 0;
  }
  if (n == 0 && why_none != nullptr) *why_none = "no CUDA device is visible";
  return n;
}

Result<DeviceInfo> device_info(int index) {
  cudaDeviceProp p{};
  MODELHOST_CUDA_RETURN_IF_ERROR(cudaGetDeviceProperties(&p, index), "cudaGetDeviceProperties");
  DeviceInfo d;
  d.index = index;
  d.name = p.name;
  d.compute_major = p.major;
  d.compute_minor = p.minor;
  d.multiprocessors = p.multiProcessorCount;
  d.memory_bytes = p.totalGlobalMem;
  d.l2_bytes = static_cast<size_t>(p.l2CacheSize);
  char uuid[64];
  const auto* b = reinterpret_cast<const unsigned char*>(p.uuid.bytes);
  std::snprintf(uuid, sizeof uuid,
                "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                b[14], b[15]);
  d.uuid = uuid;
  return d;
}

Result<int> parse_device(std::string_view text) {
  if (text == "cpu") return -1;
  int index = -1;
  if (text.starts_with("cuda:")) {
    const std::string_view n = text.substr(5);
    auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), index);
    if (ec != std::errc() || end != n.data() + n.size() || index < 0) index = -1;
  } else if (text == "cuda") {
    index = 0;
  }
  if (index < 0) {
    return invalid_argument("--device must be cpu or cuda:N, got \"" + std::string(text) + "\"");
  }
  std::string why;
  const int n = device_count(&why);
  if (index >= n) {
    return failed_precondition(
        "--device " + std::string(text) + ": " +
        (n == 0 ? "this machine has no usable CUDA device (" + why + ")"
                : "there are only " + std::to_string(n) +
                      " CUDA devices (cuda:0 to cuda:" + std::to_string(n - 1) + ")"));
  }
  return index;
}

// ---- Stream
// --------------------------------------------------------------------------------------

Result<Stream> Stream::create(int device) {
  MODELHOST_CUDA_RETURN_IF_ERROR(cudaSetDevice(device), "cudaSetDevice");
  cudaStream_t s = nullptr;
  MODELHOST_CUDA_RETURN_IF_ERROR(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking),
                                 "cudaStreamCreate");
  return Stream(s, device);
}

Stream::Stream(Stream&& other) noexcept
    : stream_(std::exchange(other.stream_, nullptr)), device_(other.device_) {}

Stream& Stream::operator=(Stream&& other) noexcept {
  if (this != &other) {
    if (stream_ != nullptr) cudaStreamDestroy(stream_);
    stream_ = std::exchange(other.stream_, nullptr);
    device_ = other.device_;
  }
  return *this;
}

Stream::~Stream() {
  if (stream_ != nullptr) cudaStreamDestroy(stream_);
}

Status Stream::synchronize() const {
  return cuda_status(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
}

// ---- DeviceArena
// ---------------------------------------------------------------------------------

DeviceArena::DeviceArena(int device, size_t chunk_bytes, ArenaMemory memory)
    : device_(device), chunk_bytes_(chunk_bytes), memory_(memory) {}

DeviceArena::~DeviceArena() {
  for (auto& c : chunks_) {
    if (memory_ == ArenaMemory::kDevice) {
      cudaFree(c.base);
    } else {
      cudaFreeHost(c.base);
    }
  }
}

Result<void*> DeviceArena::allocate(size_t bytes) {
  constexpr size_t kAlign = 256;
  bytes = (bytes + kAlign - 1) / kAlign * kAlign;
  for (; current_ < chunks_.size(); ++current_) {
    Chunk& c = chunks_[current_];
    if (c.size - c.used >= bytes) {
      void* p = static_cast<char*>(c.base) + c.used;
      c.used += bytes;
      return p;
    }
  }
  Chunk c;
  c.size = std::max(bytes, chunk_bytes_);
  MODELHOST_CUDA_RETURN_IF_ERROR(cudaSetDevice(device_), "cudaSetDevice");
  if (memory_ == ArenaMemory::kDevice) {
    MODELHOST_CUDA_RETURN_IF_ERROR(cudaMalloc(&c.base, c.size), "cudaMalloc");
  } else {
    MODELHOST_CUDA_RETURN_IF_ERROR(cudaMallocHost(&c.base, c.size), "cudaMallocHost");
  }
  c.used = bytes;
  chunks_.push_back(c);
  current_ = chunks_.size() - 1;
  return c.base;
}

void DeviceArena::reset() {
  for (auto& c : chunks_) c.used = 0;
  current_ = 0;
}

size_t DeviceArena::reserved_bytes() const {
  size_t n = 0;
  for (const auto& c : chunks_) n += c.size;
  return n;
}

size_t DeviceArena::used_bytes() const {
  size_t n = 0;
  for (const auto& c : chunks_) n += c.used;
  return n;
}

// ---- PinnedBuffer, DeviceBuffer ----------------------------------------------------------------

Result<PinnedBuffer> PinnedBuffer::allocate(size_t bytes) {
  void* p = nullptr;
  MODELHOST_CUDA_RETURN_IF_ERROR(cudaMallocHost(&p, bytes), "cudaMallocHost");
  return PinnedBuffer(p, bytes);
}

PinnedBuffer::PinnedBuffer(PinnedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

PinnedBuffer& PinnedBuffer::operator=(PinnedBuffer&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) cudaFreeHost(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

PinnedBuffer::~PinnedBuffer() {
  if (data_ != nullptr) cudaFreeHost(data_);
}

Result<DeviceBuffer> DeviceBuffer::allocate(size_t bytes) {
  void* p = nullptr;
  MODELHOST_CUDA_RETURN_IF_ERROR(cudaMalloc(&p, std::max<size_t>(bytes, 1)), "cudaMalloc");
  return DeviceBuffer(p, bytes);
}

DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) cudaFree(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

DeviceBuffer::~DeviceBuffer() {
  if (data_ != nullptr) cudaFree(data_);
}

Status DeviceBuffer::upload(const void* host, size_t bytes, cudaStream_t stream) {
  if (bytes > size_) return invalid_argument("upload larger than the device buffer");
  MODELHOST_CUDA_RETURN_IF_ERROR(
      cudaMemcpyAsync(data_, host, bytes, cudaMemcpyHostToDevice, stream), "cudaMemcpyAsync");
  return Status::ok_status();
}

Status DeviceBuffer::download(void* host, size_t bytes, cudaStream_t stream) const {
  if (bytes > size_) return invalid_argument("download larger than the device buffer");
  MODELHOST_CUDA_RETURN_IF_ERROR(
      cudaMemcpyAsync(host, data_, bytes, cudaMemcpyDeviceToHost, stream), "cudaMemcpyAsync");
  return cuda_status(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
}

Result<Precision> parse_precision(std::string_view text) {
  if (text == "fp32") return Precision::kFp32;
  if (text == "tf32") return Precision::kTf32;
  if (text == "fp16") return Precision::kFp16;
  if (text == "bf16") return Precision::kBf16;
  return invalid_argument("--precision must be fp32, tf32, fp16 or bf16, got \"" +
                          std::string(text) + "\"");
}

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::kFp32:
      return "fp32";
    case Precision::kTf32:
      return "tf32";
    case Precision::kFp16:
      return "fp16";
    case Precision::kBf16:
      return "bf16";
  }
  return "?";
}

}  // namespace modelhost::engine::cuda

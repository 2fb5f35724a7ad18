// The CUDA runtime as the engine uses it: errors as Status, the devices this process sees, a
// stream per worker instance, device memory in an arena per session, pinned host staging buffers.
//
// Host code only (compiled by the C++ compiler against the CUDA runtime's C API); the kernels live
// in .cu files behind kernels.h. Built only when CMake finds CUDA (MODELHOST_CUDA); the rest of
// the engine compiles without it.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace modelhost::engine::cuda {

// kInternal "<what>: <CUDA's message>" unless `err` is cudaSuccess.
Status cuda_status(cudaError_t err, const char* what);

#define MODELHOST_CUDA_RETURN_IF_ERROR(expr, what)               \
  do {                                                           \
    if (cudaError_t _err = (expr); _err != cudaSuccess) {        \
      return ::modelhost::engine::cuda::cuda_status(_err, what); \
    }                                                            \
  } while (0)

struct DeviceInfo {
  int index = 0;
  std::string name;
  int compute_major = 0, compute_minor = 0;
  int multiprocessors = 0;
  size_t memory_bytes = 0;
  size_t l2_bytes = 0;
  std::string uuid;  // "GPU-xxxxxxxx-..." as nvidia-smi and CUDA_VISIBLE_DEVICES write it
};

// The devices this process may use (after CUDA_VISIBLE_DEVICES); 0 without a driver or a device,
// which is not an error. `why_none` says why when there are none.
int device_count(std::string* why_none = nullptr);
Result<DeviceInfo> device_info(int index);

// "cuda:N" -> N; "cpu" -> -1. Errors name the text and the devices there are.
Result<int> parse_device(std::string_view text);

// A CUDA stream, destroyed with its owner.
class Stream {
 public:
  static Result<Stream> create(int device);
  Stream(Stream&& other) noexcept;
  Stream& operator=(Stream&& other) noexcept;
  ~Stream();
  cudaStream_t get() const { return stream_; }
  int device() const { return device_; }
  Status synchronize() const;

 private:
  Stream(cudaStream_t s, int device) : stream_(s), device_(device) {}
  cudaStream_t stream_ = nullptr;
  int device_ = 0;
};

// Device memory for one session: chunks from cudaMalloc, handed out by bumping an offset (256-byte
// aligned) and taken back all at once by reset() between runs; chunks are kept, so a steady
// workload stops calling cudaMalloc after its first run.
//
// With ArenaMemory::kPinnedHost the chunks are page-locked host memory instead (cudaMallocHost):
// the staging area a run's copies between host and device go through.
enum class ArenaMemory { kDevice, kPinnedHost };

class DeviceArena {
 public:
  explicit DeviceArena(int device, size_t chunk_bytes = 64ull << 20,
                       ArenaMemory memory = ArenaMemory::kDevice);
  ~DeviceArena();
  DeviceArena(const DeviceArena&) = delete;
  DeviceArena& operator=(const DeviceArena&) = delete;

  Result<void*> allocate(size_t bytes);
  void reset();
  size_t reserved_bytes() const;  // what cudaMalloc gave, over all chunks
  size_t used_bytes() const;      // handed out since the last reset

 private:
  struct Chunk {
    void* base = nullptr;
    size_t size = 0;
    size_t used = 0;
  };
  int device_;
  size_t chunk_bytes_;
  ArenaMemory memory_;
  std::vector<Chunk> chunks_;
  size_t current_ = 0;
};

// Page-locked host memory for copies that overlap compute (inputs in, outputs out).
class PinnedBuffer {
 public:
  static Result<PinnedBuffer> allocate(size_t bytes);
  PinnedBuffer(PinnedBuffer&& other) noexcept;
  PinnedBuffer& operator=(PinnedBuffer&& other) noexcept;
  ~PinnedBuffer();
  void* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  PinnedBuffer(void* d, size_t n) : data_(d), size_(n) {}
  void* data_ = nullptr;
  size_t size_ = 0;
};

// One device buffer, freed with its owner (tests, weights).
class DeviceBuffer {
 public:
  static Result<DeviceBuffer> allocate(size_t bytes);
  DeviceBuffer(DeviceBuffer&& other) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
  ~DeviceBuffer();
  void* data() const { return data_; }
  size_t size() const { return size_; }
  Status upload(const void* host, size_t bytes, cudaStream_t stream);
  Status download(void* host, size_t bytes, cudaStream_t stream) const;

 private:
  DeviceBuffer(void* d, size_t n) : data_(d), size_(n) {}
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace modelhost::engine::cuda

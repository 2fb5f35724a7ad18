// Tensor: a dtype, a shape and a contiguous row-major buffer.
//
// A Tensor either owns its buffer (Tensor::allocate) or views memory owned by someone else
// (Tensor::view), keeping that owner alive through a shared_ptr — so a tensor decoded from an
// HTTP body can point straight into the body without a copy. Copying a Tensor is shallow: both
// copies share the buffer. Not thread-safe for concurrent writes; concurrent reads are fine.
//
// A tensor may also describe memory on an accelerator (Tensor::device_view, on_device()): its
// dtype and shape are read as usual, its data only by that device's kernels. The executor's
// planner sees to it that a CPU kernel is never handed one (exec/device.h).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/ir/data_type.h"

namespace modelhost::engine {

using Shape = std::vector<int64_t>;

// Product of the dims, or an error if a dim is negative or the product overflows int64 (or the
// byte size `product * elem_size` would). Call this on every shape that comes from outside.
Result<int64_t> checked_num_elements(std::span<const int64_t> dims, size_t elem_size = 1);

// "[1,3,224,224]"
std::string shape_to_string(std::span<const int64_t> dims);

class Tensor {
 public:
  Tensor() = default;

  // A new 64-byte aligned buffer, zero-filled. The shape must already be validated.
  static Tensor allocate(DataType dtype, Shape shape);
  // A view of `data` (at least byte_size() bytes), kept alive by `owner` (may be null when the
  // caller guarantees the memory outlives every copy of the tensor).
  static Tensor view(DataType dtype, Shape shape, const void* data,
                     std::shared_ptr<const void> owner);
  // A view of device memory (a device kernel's output, an uploaded weight), kept alive by `owner`
  // (null for memory of the run's device arena, which outlives every tensor of the run).
  static Tensor device_view(DataType dtype, Shape shape, const void* device_data,
                            std::shared_ptr<const void> owner);
  // A 1-element-per-value tensor filled from a vector (convenient in tests).
  template <typename T>
  static Tensor from_vector(Shape shape, const std::vector<T>& values) {
    Tensor t = allocate(DataTypeOf<T>::value, std::move(shape));
    T* dst = t.mutable_data<T>();
    for (size_t i = 0; i < values.size() && static_cast<int64_t>(i) < t.num_elements(); ++i)
      dst[i] = values[i];
    return t;
  }

  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t num_elements() const { return num_elements_; }
  size_t byte_size() const { return static_cast<size_t>(num_elements_) * dtype_size(dtype_); }
  bool defined() const { return dtype_ != DataType::kUndefined; }
  // True for device memory: only the device's kernels and copies may touch raw_data().
  bool on_device() const { return on_device_; }

  const void* raw_data() const { return data_; }
  // Writable access. Only valid on tensors the caller owns (allocated, not shared views).
  void* mutable_raw_data() { return const_cast<void*>(data_); }
  template <typename T>
  const T* data() const {
    return static_cast<const T*>(data_);
  }
  template <typename T>
  T* mutable_data() {
    return static_cast<T*>(mutable_raw_data());
  }
  template <typename T>
  std::vector<T> to_vector() const {
    const T* p = data<T>();
    return std::vector<T>(p, p + num_elements_);
  }

  // Same buffer, new shape with the same element count (checked by the caller).
  Tensor reshaped(Shape shape) const;

  // True when this tensor is the only holder of an owned buffer: no other tensor (view, reshape,
  // weight table, caller) can see a write to it. The executor hands such a dying input to its
  // consumer as the output buffer to compute in place (see exec/kernel.h).
  bool sole_owner() const { return owner_ != nullptr && owner_.use_count() == 1; }

 private:
  DataType dtype_ = DataType::kUndefined;
  Shape shape_;
  int64_t num_elements_ = 0;
  const void* data_ = nullptr;
  std::shared_ptr<const void> owner_;
  bool on_device_ = false;
};

}  // namespace modelhost::engine

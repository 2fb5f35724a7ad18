#include "engine/ir/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "engine/ir/arena.h"
#include "engine/ir/tensor_alloc.h"

namespace modelhost::engine {

Result<int64_t> checked_num_elements(std::span<const int64_t> dims, size_t elem_size) {
  int64_t product = 1;
  for (int64_t d : dims) {
    if (d < 0) {
      return invalid_argument("shape " + shape_to_string(dims) + " has a negative dimension");
    }
    if (d != 0 && product > std::numeric_limits<int64_t>::max() / d) {
      return invalid_argument("shape " + shape_to_string(dims) + " has too many elements");
    }
    product *= d;
  }
  if (elem_size > 1 &&
      product > std::numeric_limits<int64_t>::max() / static_cast<int64_t>(elem_size)) {
    return invalid_argument("shape " + shape_to_string(dims) + " is too large in bytes");
  }
  return product;
}

std::string shape_to_string(std::span<const int64_t> dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(dims[i]);
  }
  out += ']';
  return out;
}

namespace {

// What acquire_buffer hands out for `bytes`: a multiple of 64, at least 64.
size_t buffer_size(size_t bytes) { return std::max<size_t>((bytes + 63) / 64 * 64, 64); }

// A 64-byte aligned buffer from the current run's arena (ScopedArena), else the heap.
std::shared_ptr<void> acquire_buffer(size_t bytes) {
  const size_t rounded = buffer_size(bytes);
  if (BufferArena* arena = ScopedArena::current()) return arena->acquire(rounded);
  void* p = std::aligned_alloc(64, rounded);
  if (p == nullptr) throw std::bad_alloc();
  return std::shared_ptr<void>(p, [](void* q) { std::free(q); });
}

}  // namespace

Tensor allocate_uninitialized(DataType dtype, Shape shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::shared_ptr<void> buffer = acquire_buffer(static_cast<size_t>(n) * dtype_size(dtype));
  void* p = buffer.get();
  return Tensor::view(dtype, std::move(shape), p, std::move(buffer));
}

Tensor Tensor::allocate(DataType dtype, Shape shape) {
  Tensor t = allocate_uninitialized(dtype, std::move(shape));
  std::memset(t.mutable_raw_data(), 0, buffer_size(t.byte_size()));
  return t;
}

Tensor Tensor::view(DataType dtype, Shape shape, const void* data,
                    std::shared_ptr<const void> owner) {
  Tensor t;
  t.dtype_ = dtype;
  t.num_elements_ = 1;
  for (int64_t d : shape) t.num_elements_ *= d;
  t.shape_ = std::move(shape);
  t.data_ = data;
  t.owner_ = std::move(owner);
  return t;
}

Tensor Tensor::device_view(DataType dtype, Shape shape, const void* device_data,
                           std::shared_ptr<const void> owner) {
  Tensor t = view(dtype, std::move(shape), device_data, std::move(owner));
  t.on_device_ = true;
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

}  // namespace modelhost::engine

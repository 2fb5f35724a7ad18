#include "engine/ir/tensor.h"

#include "engine/ir/arena.h"
#include "engine/ir/tensor_alloc.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>

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

std::shared_ptr<void> acquire_buffer(size_t bytes) {
  size_t rounded = ((bytes + 63) / 64) * 64;
  if (rounded == 0) rounded = 64;
  if (BufferArena* arena = ScopedArena::current()) return arena->acquire(rounded);
  void* p = std::aligned_alloc(64, rounded);
  if (p == nullptr) throw std::bad_alloc();
  return std::shared_ptr<void>(p, [](void* q) { std::free(q); });
}

Tensor allocate_uninitialized(DataType dtype, Shape shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::shared_ptr<void> buffer = acquire_buffer(static_cast<size_t>(n) * dtype_size(dtype));
  void* p = buffer.get();
  return Tensor::view(dtype, std::move(shape), p, std::move(buffer));
}

Tensor Tensor::allocate(DataType dtype, Shape shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.num_elements_ = 1;
  for (int64_t d : shape) t.num_elements_ *= d;
  t.shape_ = std::move(shape);
  const size_t bytes = t.byte_size();
  t.owner_ = acquire_buffer(bytes);
  void* p = const_cast<void*>(t.owner_.get());
  std::memset(p, 0, std::max<size_t>(((bytes + 63) / 64) * 64, 64));
  t.data_ = p;
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

Tensor Tensor::reshaped(Shape shape) const {
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

}  // namespace modelhost::engine

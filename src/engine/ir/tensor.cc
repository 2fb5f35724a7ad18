#include "engine/ir/tensor.h"

#include "engine/ir/arena.h"

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

Tensor Tensor::allocate(DataType dtype, Shape shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.num_elements_ = 1;
  for (int64_t d : shape) t.num_elements_ *= d;
  t.shape_ = std::move(shape);
  size_t bytes = t.byte_size();
  size_t rounded = ((bytes + 63) / 64) * 64;
  if (rounded == 0) rounded = 64;
  if (BufferArena* arena = ScopedArena::current()) {
    t.owner_ = arena->acquire(rounded);
  } else {
    void* p = std::aligned_alloc(64, rounded);
    if (p == nullptr) throw std::bad_alloc();
    t.owner_ = std::shared_ptr<void>(p, [](void* q) { std::free(q); });
  }
  void* p = const_cast<void*>(t.owner_.get());
  std::memset(p, 0, rounded);
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

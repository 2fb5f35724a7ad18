// Tensors whose buffer is not zero-filled, for kernels that write every element of their output
// themselves (convolutions, GEMMs, normalizations): Tensor::allocate's zero fill is a full extra
// pass over memory, 14% of a MobileNetV2 inference when every output paid it.
#pragma once

#include <memory>

#include "engine/ir/tensor.h"

namespace modelhost::engine {

// A 64-byte aligned buffer of `bytes` (rounded up to a multiple of 64, at least 64), from the
// current run's arena (ScopedArena) or else the heap; contents unspecified. Throws
// std::bad_alloc.
std::shared_ptr<void> acquire_buffer(size_t bytes);

// Like Tensor::allocate, without the zero fill: the caller must write every element.
Tensor allocate_uninitialized(DataType dtype, Shape shape);

}  // namespace modelhost::engine

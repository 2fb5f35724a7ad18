// Tensors whose buffer is not zero-filled, for kernels that write every element of their output
// themselves (convolutions, GEMMs, normalizations): Tensor::allocate's zero fill is a full extra
// pass over memory, 14% of a MobileNetV2 inference when every output paid it.
#pragma once

#include "engine/ir/tensor.h"

namespace modelhost::engine {

// Like Tensor::allocate (a 64-byte aligned buffer from the current run's arena, else the heap),
// without the zero fill: the caller must write every element.
Tensor allocate_uninitialized(DataType dtype, Shape shape);

}  // namespace modelhost::engine

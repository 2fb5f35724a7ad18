// Scale / zero-point layout shared by QuantizeLinear and DequantizeLinear: per-tensor (a scalar
// or a one-element tensor), per-axis (a 1-D tensor of x.shape[axis] values) or blocked (x's rank,
// x's dims except ceil(x.shape[axis] / block_size) on `axis`). x is walked as [outer, dim, inner]
// around `axis`, and the parameter of an element found from its (outer, a, inner) position.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "engine/exec/kernel.h"
#include "engine/ir/graph.h"
#include "engine/ir/tensor.h"

namespace modelhost::engine::cpu {

struct QuantParamLayout {
  enum class Kind { kPerTensor, kPerAxis, kBlocked };
  Kind kind = Kind::kPerTensor;
  int64_t outer = 1, dim = 1, inner = 1;
  int64_t block_size = 0, blocks = 1;

  // Index into the scale / zero-point of element (o, a, i).
  int64_t param_index(int64_t o, int64_t a, int64_t i) const {
    switch (kind) {
      case Kind::kPerTensor:
        return 0;
      case Kind::kPerAxis:
        return a;
      case Kind::kBlocked:
        return (o * blocks + a / block_size) * inner + i;
    }
    return 0;
  }
};

// The layout of `scale` for `x`, or an error naming the shape that fits none of the three.
inline Result<QuantParamLayout> quant_param_layout(const Tensor& x, const Tensor& scale,
                                                   int64_t axis_attr, int64_t block_size,
                                                   std::string_view op) {
  QuantParamLayout l;
  if (scale.num_elements() == 1 && scale.rank() <= 1) {
    l.inner = x.num_elements();
    return l;
  }
  const int64_t rank = x.rank();
  auto bad = [&](const std::string& why) {
    return invalid_argument(std::string(op) + ": scale " + shape_to_string(scale.shape()) +
                            " does not fit x " + shape_to_string(x.shape()) + ": " + why);
  };
  if (rank == 0) return bad("a scalar x takes a one-element scale");
  ASSIGN_OR_RETURN(int64_t axis, exec::normalize_axis(axis_attr, rank));
  for (int64_t d = 0; d < axis; ++d) l.outer *= x.shape()[static_cast<size_t>(d)];
  l.dim = x.shape()[static_cast<size_t>(axis)];
  for (int64_t d = axis + 1; d < rank; ++d) l.inner *= x.shape()[static_cast<size_t>(d)];
  if (block_size <= 0) {
    if (scale.rank() != 1) return bad("per-axis scale must be 1-D (or set block_size)");
    if (scale.shape()[0] != l.dim) {
      return bad("per-axis scale needs " + std::to_string(l.dim) + " values on axis " +
                 std::to_string(axis));
    }
    l.kind = QuantParamLayout::Kind::kPerAxis;
    return l;
  }
  if (scale.rank() != rank) return bad("blocked scale must have x's rank");
  for (int64_t d = 0; d < rank; ++d) {
    const int64_t want =
        d == axis ? (l.dim + block_size - 1) / block_size : x.shape()[static_cast<size_t>(d)];
    if (scale.shape()[static_cast<size_t>(d)] != want) {
      return bad("with block_size " + std::to_string(block_size) + " dim " + std::to_string(d) +
                 " must be " + std::to_string(want));
    }
  }
  l.kind = QuantParamLayout::Kind::kBlocked;
  l.block_size = block_size;
  l.blocks = scale.shape()[static_cast<size_t>(axis)];
  return l;
}

// The attributes QuantizeLinear and DequantizeLinear share: axis (default 1), block_size (0 =
// per tensor or per axis) and output_dtype's ONNX code (0 = not given).
struct QuantAttrs {
  int64_t axis = 1;
  int64_t block_size = 0;
  int64_t output_dtype_code = 0;
};

inline Result<QuantAttrs> read_quant_attrs(const ir::Node& node) {
  QuantAttrs a;
  ASSIGN_OR_RETURN(a.axis, node.attributes.get_int("axis", 1));
  ASSIGN_OR_RETURN(a.block_size, node.attributes.get_int("block_size", 0));
  if (a.block_size < 0) {
    return invalid_argument("block_size must not be negative, got " + std::to_string(a.block_size));
  }
  ASSIGN_OR_RETURN(a.output_dtype_code, node.attributes.get_int("output_dtype", 0));
  return a;
}

}  // namespace modelhost::engine::cpu

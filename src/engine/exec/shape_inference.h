// Load-time shape inference with symbolic dims.
//
// Walks a graph as the model wrote it (default-domain ops, before the graph passes) from the
// declared input shapes, whose open dims keep their dim_param names ("batch", "sequence"), and
// the constant values it can see (initializers, Constant nodes), and gives every value the shape
// that the op rules can tell: a dim is a number, a named symbol carried from an input, or
// unknown, and a value whose rank cannot be told has no shape at all. Shapes that contradict
// each other (a MatMul whose inner dims differ, a broadcast of 3 against 4, a Reshape to another
// element count) fail the load, naming the node. What is not known here is resolved at run time
// by the kernels, which check every shape again.
//
// The rules cover the ops of the models the engine is built for (convolution and transformer
// networks: elementwise and broadcasting ops, MatMul, Gemm, Conv, pools, normalizations,
// Reshape, Transpose, Concat, Gather, Slice, Split, Squeeze/Unsqueeze, reductions, Shape, ...);
// any other op leaves its outputs without a shape.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/ir/graph.h"

namespace modelhost::engine::exec {

struct SymDim {
  int64_t value = -1;  // >= 0: known
  std::string param;   // for an open dim: the symbol it equals ("" when nothing is known)
  bool known() const { return value >= 0; }
  bool operator==(const SymDim&) const = default;
};
using SymShape = std::vector<SymDim>;

// "[batch,sequence,768]", "?" for an unknown dim.
std::string sym_shape_to_string(const SymShape& shape);

// Value name -> its inferred shape (absent: rank unknown). `dim_params` gives the declared
// inputs' dim_param names (ir::Model::input_dim_params).
Result<std::map<std::string, SymShape>> infer_shapes(
    const ir::Graph& graph, const std::map<std::string, std::vector<std::string>>& dim_params);

}  // namespace modelhost::engine::exec

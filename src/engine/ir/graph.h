// Graph, Node, Value: the engine's model of an ONNX graph, independent of protobuf.
//
// A Graph is built once by the loader (onnx/) and never changes afterwards; the executor reads it
// from many threads. Values are referred to by name, as in ONNX; an empty input name marks an
// omitted optional input.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/ir/attribute.h"
#include "engine/ir/data_type.h"
#include "engine/ir/tensor.h"

namespace modelhost::engine::ir {

// The default ONNX operator domain ("" or "ai.onnx" in a model).
inline constexpr const char* kDefaultDomain = "";
// The domain of the fused ops that graph passes create (FusedConv, FusedMatMul). Models do not
// use it; its ops exist only between the passes and the executor, at opset 1.
inline constexpr const char* kModelhostDomain = "com.modelhost";

// A named tensor flowing through the graph, with what the model declares about it.
struct Value {
  std::string name;
  DataType dtype = DataType::kUndefined;
  // -1 marks a dimension the model leaves open (dim_param or unset).
  Shape shape;
  // False when the model gives no shape at all (rank unknown); `shape` is then empty.
  bool has_shape = false;
};

struct Node {
  std::string name;  // may be empty in the model
  std::string op_type;
  std::string domain;  // "" for the default domain
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  Attributes attributes;
  // Opset of `domain` that the model imports (0 when the model imports none).
  int64_t opset = 0;
};

// `node "fc1" (op Gemm, domain "", opset 13)`; nodes without a name are named by position and
// first output, e.g. `node #3 -> "y" (op Relu, ...)`.
std::string describe_node(const Node& node, size_t index);

struct Graph {
  std::string name;
  std::vector<Node> nodes;    // in model order; the executor computes its own order
  std::vector<Value> inputs;  // graph inputs, initializers excluded
  std::vector<Value> outputs;
  std::map<std::string, Tensor> initializers;
  // Imported opset per domain ("" for the default domain).
  std::map<std::string, int64_t> opsets;
};

// The values a graph reads from the scopes around it: names its nodes (and the subgraphs of its
// nodes, recursively) read or its outputs name that it neither declares as an input or
// initializer nor produces. Sorted, each once. For a top-level graph the loader has already
// refused any; for a subgraph they are the outer-scope values it captures.
std::vector<std::string> outer_scope_names(const Graph& graph);

// The same over every graph attribute of `node`: the values the node reads implicitly, besides
// its declared inputs. The loader appends them to node.inputs (see onnx/README.md), so that
// ordering, liveness and the graph passes see them as ordinary inputs.
std::vector<std::string> outer_scope_names(const Node& node);

struct Model {
  Graph graph;
  int64_t ir_version = 0;
  std::string producer_name;
  // Graph input name -> the dim_param of each of its dims ("" where the model gives a value or
  // nothing), for tools that pick sizes for open dims by name (e.g. "sequence").
  std::map<std::string, std::vector<std::string>> input_dim_params;
};

}  // namespace modelhost::engine::ir

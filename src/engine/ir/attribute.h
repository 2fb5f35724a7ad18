// Attribute: a node's named, load-time constant parameter (Gemm's alpha, Transpose's perm, ...).
//
// Attributes are decoded from the model once at load time and are immutable afterwards; kernels
// read them in their factory, so a bad value is a load error, never a run-time one.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"
#include "engine/ir/tensor.h"

namespace modelhost::engine::ir {

// An attribute kind the engine does not decode (lists of graphs, sparse tensors, type protos).
// Kept so a kernel can say which attribute it cannot handle.
struct UnsupportedAttribute {
  std::string onnx_type;  // "GRAPHS", "SPARSE_TENSOR", ...
};

struct Graph;  // graph.h
// A subgraph (If's branches, Loop's and Scan's body), immutable once loaded.
using GraphAttribute = std::shared_ptr<const Graph>;

using AttributeValue =
    std::variant<float, int64_t, std::string, Tensor, std::vector<float>, std::vector<int64_t>,
                 std::vector<std::string>, GraphAttribute, UnsupportedAttribute>;

// "float", "int", "string", "tensor", "floats", "ints", "strings", "graph" or the unsupported
// ONNX type.
std::string attribute_kind_name(const AttributeValue& value);

class Attributes {
 public:
  void set(std::string name, AttributeValue value) { values_[std::move(name)] = std::move(value); }
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  const std::map<std::string, AttributeValue>& all() const { return values_; }

  // Typed getters: the default when absent, an error naming the attribute when present with
  // another kind.
  Result<int64_t> get_int(const std::string& name, int64_t default_value) const;
  Result<float> get_float(const std::string& name, float default_value) const;
  Result<std::string> get_string(const std::string& name, std::string default_value) const;
  Result<std::vector<int64_t>> get_ints(const std::string& name,
                                        std::vector<int64_t> default_value) const;
  Result<std::vector<float>> get_floats(const std::string& name,
                                        std::vector<float> default_value) const;
  // Tensor and graph attributes have no default: an error when absent.
  Result<Tensor> get_tensor(const std::string& name) const;
  Result<GraphAttribute> get_graph(const std::string& name) const;

 private:
  template <typename T>
  Result<T> get(const std::string& name, T default_value, const char* kind) const;

  std::map<std::string, AttributeValue> values_;
};

}  // namespace modelhost::engine::ir

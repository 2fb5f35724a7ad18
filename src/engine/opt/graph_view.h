// GraphView: the lookups pattern-matching passes need (who produces a value, who reads it, is it
// a weight), over a graph that the pass then edits through `remove` and `compact`.
//
// A pass matches patterns against the view, rewrites the anchor node in place and marks the
// nodes it absorbed as removed; compact() drops them at the end. Indices stay valid until then,
// so a pass must not match a removed node twice (`removed(i)` tells).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/ir/graph.h"

namespace modelhost::engine::opt {

class GraphView {
 public:
  explicit GraphView(ir::Graph& graph);

  ir::Graph& graph() { return graph_; }
  ir::Node& node(size_t i) { return graph_.nodes[i]; }
  const ir::Node& node(size_t i) const { return graph_.nodes[i]; }

  // Index of the node that produces `value`, if a node does (not for inputs and weights).
  std::optional<size_t> producer(const std::string& value) const;
  // Indices of the live nodes reading `value` (a node reading it twice appears twice).
  std::vector<size_t> consumers(const std::string& value) const;
  // The single live node reading `value` when exactly one node reads it once and it is not a
  // graph output: the condition for absorbing the value into a fused node.
  std::optional<size_t> sole_consumer(const std::string& value) const;
  bool is_graph_output(const std::string& value) const { return outputs_.count(value) != 0; }

  // The weight named `value`, or null when it is computed at run time.
  const Tensor* weight(const std::string& value) const;
  // The value of a float32/float64 weight with exactly one element.
  std::optional<double> scalar(const std::string& value) const;

  // Whether node i is a live default-domain node of `op_type`.
  bool is(size_t i, const char* op_type) const;
  // The live default-domain producer of `value` when it is an `op_type` node.
  std::optional<size_t> produced_by(const std::string& value, const char* op_type) const;

  void remove(size_t i) { removed_[i] = true; }
  bool removed(size_t i) const { return removed_[i]; }
  // Adds a weight under a fresh name derived from `hint` and returns that name.
  std::string add_weight(const std::string& hint, Tensor t);
  // Drops the removed nodes. The view is not usable afterwards.
  void compact();

 private:
  ir::Graph& graph_;
  std::map<std::string, size_t> producer_;
  std::map<std::string, std::vector<size_t>> consumers_;
  std::set<std::string> outputs_;
  std::vector<bool> removed_;
};

// An activation node that FusedConv / FusedMatMul can absorb: the `activation` and
// `activation_params` attributes it becomes (see cpu/activation.h), or nothing when node i is not
// one (or has inputs that are not weights, such as a Clip bound computed at run time).
struct FusableActivation {
  std::string name;
  std::vector<float> params;
};
std::optional<FusableActivation> fusable_activation(const GraphView& view, size_t i);

}  // namespace modelhost::engine::opt

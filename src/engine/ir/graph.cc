#include "engine/ir/graph.h"

#include <set>

namespace modelhost::engine::ir {

std::string describe_node(const Node& node, size_t index) {
  std::string out = "node ";
  if (!node.name.empty()) {
    out += "\"" + node.name + "\"";
  } else {
    out += "#" + std::to_string(index);
    if (!node.outputs.empty()) out += " -> \"" + node.outputs[0] + "\"";
  }
  out += " (op " + node.op_type + ", domain \"" + node.domain + "\", opset " +
         std::to_string(node.opset) + ")";
  return out;
}

std::vector<std::string> outer_scope_names(const Graph& graph) {
  std::set<std::string> defined;
  for (const Value& v : graph.inputs) defined.insert(v.name);
  for (const auto& [name, t] : graph.initializers) defined.insert(name);
  for (const Node& n : graph.nodes) defined.insert(n.outputs.begin(), n.outputs.end());
  std::set<std::string> free;
  auto use = [&](const std::string& name) {
    if (!name.empty() && !defined.count(name)) free.insert(name);
  };
  for (const Node& n : graph.nodes) {
    for (const std::string& in : n.inputs) use(in);
    for (const std::string& in : outer_scope_names(n)) use(in);
  }
  for (const Value& v : graph.outputs) use(v.name);
  return {free.begin(), free.end()};
}

std::vector<std::string> outer_scope_names(const Node& node) {
  std::set<std::string> free;
  for (const auto& [name, value] : node.attributes.all()) {
    if (const GraphAttribute* g = std::get_if<GraphAttribute>(&value); g && *g) {
      for (std::string& v : outer_scope_names(**g)) free.insert(std::move(v));
    }
  }
  return {free.begin(), free.end()};
}

}  // namespace modelhost::engine::ir

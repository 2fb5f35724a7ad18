#include "engine/ir/graph.h"

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

}  // namespace modelhost::engine::ir

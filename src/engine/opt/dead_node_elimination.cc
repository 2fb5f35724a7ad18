// Dead-node elimination: walk back from the graph outputs; anything not reached is dropped.
#include <set>
#include <string>

#include "engine/opt/pass.h"

namespace modelhost::engine::opt {

Status eliminate_dead_nodes(ir::Graph& graph) {
  std::set<std::string> live;
  for (const auto& out : graph.outputs) live.insert(out.name);
  // Iterate to a fixed point: model order is not guaranteed to be topological.
  std::vector<bool> keep(graph.nodes.size(), false);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      if (keep[i]) continue;
      const ir::Node& node = graph.nodes[i];
      bool needed = false;
      for (const auto& o : node.outputs) needed = needed || (!o.empty() && live.count(o) > 0);
      if (!needed) continue;
      keep[i] = true;
      changed = true;
      for (const auto& in : node.inputs) {
        if (!in.empty()) live.insert(in);
      }
    }
  }
  std::vector<ir::Node> kept;
  kept.reserve(graph.nodes.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (keep[i]) kept.push_back(std::move(graph.nodes[i]));
  }
  graph.nodes = std::move(kept);
  for (auto it = graph.initializers.begin(); it != graph.initializers.end();) {
    it = live.count(it->first) ? std::next(it) : graph.initializers.erase(it);
  }
  return Status();
}

}  // namespace modelhost::engine::opt

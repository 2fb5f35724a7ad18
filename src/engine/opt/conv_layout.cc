// Blocked layouts across convolutions: where a FusedConv's output is read only by other
// FusedConvs (as their input X or residual Z), it stays in oneDNN's nChw8c layout instead of
// being reordered back to NCHW and forward again by each reader. The producer gets
// blocked_output = 1, each reader blocked_input = 1 or blocked_residual = 1 (cpu/conv.cc).
// Only 2-D convolutions whose channel counts are multiples of 8 take part, so a blocked tensor
// has exactly the size of its NCHW shape; it is never a graph output and never read by any
// other op, so no other kernel ever sees the blocked data.
#include "engine/opt/graph_view.h"
#include "engine/opt/pass.h"

namespace modelhost::engine::opt {
namespace {

// W of a FusedConv when it is a 4-D float32 weight.
const Tensor* conv2d_weight(const GraphView& view, size_t i) {
  if (view.removed(i)) return nullptr;
  const ir::Node& n = view.node(i);
  if (n.domain != ir::kModelhostDomain || n.op_type != "FusedConv" || n.inputs.size() < 2) {
    return nullptr;
  }
  const Tensor* w = view.weight(n.inputs[1]);
  return w != nullptr && w->rank() == 4 ? w : nullptr;
}

}  // namespace

Status keep_blocked_layouts(ir::Graph& graph) {
  GraphView view(graph);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Tensor* w = conv2d_weight(view, i);
    if (w == nullptr || w->shape()[0] % 8 != 0) continue;
    const std::string y = view.node(i).outputs[0];
    if (view.is_graph_output(y)) continue;
    std::vector<size_t> readers = view.consumers(y);
    bool all_convs = !readers.empty();
    for (size_t r : readers) {
      const ir::Node& n = view.node(r);
      const bool as_x = n.inputs[0] == y;
      const bool as_z = n.inputs.size() > 3 && n.inputs[3] == y;
      all_convs = all_convs && conv2d_weight(view, r) != nullptr && as_x != as_z &&
                  (n.inputs.size() < 2 || n.inputs[1] != y) &&
                  (n.inputs.size() < 3 || n.inputs[2] != y);
    }
    if (!all_convs) continue;
    view.node(i).attributes.set("blocked_output", int64_t{1});
    for (size_t r : readers) {
      ir::Node& n = view.node(r);
      n.attributes.set(n.inputs[0] == y ? "blocked_input" : "blocked_residual", int64_t{1});
    }
  }
  view.compact();
  return Status();
}

}  // namespace modelhost::engine::opt

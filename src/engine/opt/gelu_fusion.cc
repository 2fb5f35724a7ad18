// GELU pattern fusion: the exact GELU as exporters spell it out,
//   y = x * 0.5 * (1 + Erf(x / sqrt(2)))
// (Div by sqrt(2) or Mul by 1/sqrt(2); the 0.5 applied to x, to the sum or to the product),
// becomes one Gelu node (ONNX opset 20 op, approximate = "none"), whose kernel computes the same
// formula in one pass instead of five.
#include <cmath>

#include "engine/opt/graph_view.h"
#include "engine/opt/pass.h"

namespace modelhost::engine::opt {
namespace {

bool near(std::optional<double> v, double want) {
  return v && std::abs(*v - want) <= 1e-4 * std::abs(want);
}

// The other input of a two-input node, given one of them.
std::optional<std::string> other_input(const ir::Node& n, const std::string& one) {
  if (n.inputs.size() != 2) return std::nullopt;
  if (n.inputs[0] == one) return n.inputs[1];
  if (n.inputs[1] == one) return n.inputs[0];
  return std::nullopt;
}

}  // namespace

Status fuse_gelu(ir::Graph& graph) {
  GraphView view(graph);
  for (size_t e = 0; e < graph.nodes.size(); ++e) {
    if (!view.is(e, "Erf")) continue;
    // x / sqrt(2) or x * (1 / sqrt(2)), read by the Erf only.
    auto scaled = view.producer(view.node(e).inputs[0]);
    if (!scaled || view.sole_consumer(view.node(*scaled).outputs[0]) != e) continue;
    const ir::Node& sn = view.node(*scaled);
    std::string x;
    if (view.is(*scaled, "Div") && near(view.scalar(sn.inputs[1]), std::sqrt(2.0))) {
      x = sn.inputs[0];
    } else if (view.is(*scaled, "Mul") && near(view.scalar(sn.inputs[1]), std::sqrt(0.5))) {
      x = sn.inputs[0];
    } else if (view.is(*scaled, "Mul") && near(view.scalar(sn.inputs[0]), std::sqrt(0.5))) {
      x = sn.inputs[1];
    } else {
      continue;
    }
    // 1 + erf
    auto plus = view.sole_consumer(view.node(e).outputs[0]);
    if (!plus || !view.is(*plus, "Add")) continue;
    auto one = other_input(view.node(*plus), view.node(e).outputs[0]);
    if (!one || !near(view.scalar(*one), 1.0)) continue;
    const std::string sum = view.node(*plus).outputs[0];
    auto m1 = view.sole_consumer(sum);
    if (!m1 || !view.is(*m1, "Mul")) continue;
    auto m1_other = other_input(view.node(*m1), sum);
    if (!m1_other) continue;
    std::vector<size_t> absorbed = {*scaled, e, *plus, *m1};
    std::string y;
    if (*m1_other == x) {
      // (x * (1 + erf)) * 0.5
      auto m2 = view.sole_consumer(view.node(*m1).outputs[0]);
      if (!m2 || !view.is(*m2, "Mul")) continue;
      auto half = other_input(view.node(*m2), view.node(*m1).outputs[0]);
      if (!half || !near(view.scalar(*half), 0.5)) continue;
      absorbed.push_back(*m2);
      y = view.node(*m2).outputs[0];
    } else if (near(view.scalar(*m1_other), 0.5)) {
      // x * ((1 + erf) * 0.5)
      auto m2 = view.sole_consumer(view.node(*m1).outputs[0]);
      if (!m2 || !view.is(*m2, "Mul") ||
          other_input(view.node(*m2), view.node(*m1).outputs[0]) != x) {
        continue;
      }
      absorbed.push_back(*m2);
      y = view.node(*m2).outputs[0];
    } else if (auto h = view.produced_by(*m1_other, "Mul");
               h && view.sole_consumer(*m1_other) == *m1) {
      // (x * 0.5) * (1 + erf)
      auto hx = other_input(view.node(*h), x);
      if (!hx || !near(view.scalar(*hx), 0.5)) continue;
      absorbed.push_back(*h);
      y = view.node(*m1).outputs[0];
    } else {
      continue;
    }
    // The Gelu takes the place of the Erf node.
    ir::Node& gelu = view.node(e);
    gelu.op_type = "Gelu";
    gelu.opset = 20;
    gelu.attributes = ir::Attributes();
    gelu.inputs = {x};
    gelu.outputs = {y};
    for (size_t k : absorbed) {
      if (k != e) view.remove(k);
    }
  }
  view.compact();
  return Status();
}

}  // namespace modelhost::engine::opt

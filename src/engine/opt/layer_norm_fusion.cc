// LayerNormalization pattern fusion: the layer norm that exporters targeting opsets before 17
// spell out over the last axis,
//   m = ReduceMean(x); d = x - m; v = ReduceMean(d ^ 2) (or d * d); y = d / Sqrt(v + eps)
//   out = y * gamma + beta
// becomes one LayerNormalization (axis -1, that epsilon; ONNX opset 17 op) reading x, gamma and
// beta. Both ReduceMeans must reduce the last axis only and keep dims; gamma and beta must be
// weights. The kernel accumulates in double, so the fused node is at least as accurate.
#include <cmath>

#include "engine/opt/graph_view.h"
#include "engine/opt/pass.h"

namespace modelhost::engine::opt {
namespace {

std::optional<std::string> other_input(const ir::Node& n, const std::string& one) {
  if (n.inputs.size() != 2) return std::nullopt;
  if (n.inputs[0] == one) return n.inputs[1];
  if (n.inputs[1] == one) return n.inputs[0];
  return std::nullopt;
}

// A ReduceMean over the last axis only, keeping dims (axes as attribute before opset 18, as a
// weight input from 18).
bool reduces_last_axis(const GraphView& view, const ir::Node& n) {
  auto keep = n.attributes.get_int("keepdims", 1);
  if (!keep.ok() || *keep != 1) return false;
  std::vector<int64_t> axes;
  if (n.opset < 18) {
    auto a = n.attributes.get_ints("axes", {});
    if (!a.ok()) return false;
    axes = *a;
  } else {
    const Tensor* t = n.inputs.size() > 1 ? view.weight(n.inputs[1]) : nullptr;
    if (t == nullptr || t->dtype() != DataType::kInt64) return false;
    axes = t->to_vector<int64_t>();
  }
  return axes == std::vector<int64_t>{-1};
}

}  // namespace

Status fuse_layer_norm(ir::Graph& graph) {
  GraphView view(graph);
  for (size_t r1 = 0; r1 < graph.nodes.size(); ++r1) {
    if (!view.is(r1, "ReduceMean") || !reduces_last_axis(view, view.node(r1))) continue;
    const std::string x = view.node(r1).inputs[0];
    const std::string mean = view.node(r1).outputs[0];
    auto sub = view.sole_consumer(mean);
    if (!sub || !view.is(*sub, "Sub") || view.node(*sub).inputs[0] != x ||
        view.node(*sub).inputs[1] != mean) {
      continue;
    }
    const std::string d = view.node(*sub).outputs[0];
    // d is read by the square and by the Div.
    std::vector<size_t> readers = view.consumers(d);
    if (view.is_graph_output(d) || readers.size() < 2 || readers.size() > 3) continue;
    std::optional<size_t> sq, div;
    for (size_t k : readers) {
      const ir::Node& n = view.node(k);
      if (view.is(k, "Pow") && n.inputs[0] == d && view.scalar(n.inputs[1]) == 2.0) {
        sq = k;
      } else if (view.is(k, "Mul") && n.inputs[0] == d && n.inputs[1] == d) {
        sq = k;
      } else if (view.is(k, "Div") && n.inputs[0] == d) {
        div = k;
      }
    }
    const size_t expected_readers = sq && view.is(*sq, "Mul") ? 3 : 2;  // Mul(d, d) reads twice
    if (!sq || !div || readers.size() != expected_readers) continue;
    auto r2 = view.sole_consumer(view.node(*sq).outputs[0]);
    if (!r2 || !view.is(*r2, "ReduceMean") || !reduces_last_axis(view, view.node(*r2))) continue;
    auto add_eps = view.sole_consumer(view.node(*r2).outputs[0]);
    if (!add_eps || !view.is(*add_eps, "Add")) continue;
    auto eps_name = other_input(view.node(*add_eps), view.node(*r2).outputs[0]);
    auto eps = eps_name ? view.scalar(*eps_name) : std::nullopt;
    if (!eps || *eps < 0) continue;
    auto sqrt = view.sole_consumer(view.node(*add_eps).outputs[0]);
    if (!sqrt || !view.is(*sqrt, "Sqrt")) continue;
    if (view.node(*div).inputs[1] != view.node(*sqrt).outputs[0] ||
        view.sole_consumer(view.node(*sqrt).outputs[0]) != *div) {
      continue;
    }
    auto mul = view.sole_consumer(view.node(*div).outputs[0]);
    if (!mul || !view.is(*mul, "Mul")) continue;
    auto gamma = other_input(view.node(*mul), view.node(*div).outputs[0]);
    if (!gamma || view.weight(*gamma) == nullptr) continue;
    auto add = view.sole_consumer(view.node(*mul).outputs[0]);
    if (!add || !view.is(*add, "Add")) continue;
    auto beta = other_input(view.node(*add), view.node(*mul).outputs[0]);
    if (!beta || view.weight(*beta) == nullptr) continue;
    const Tensor* g = view.weight(*gamma);
    const Tensor* b = view.weight(*beta);
    if (g->dtype() != DataType::kFloat32 || b->dtype() != DataType::kFloat32) continue;

    ir::Node& ln = view.node(r1);
    ln.op_type = "LayerNormalization";
    ln.opset = 17;
    ln.attributes = ir::Attributes();
    ln.attributes.set("axis", int64_t{-1});
    ln.attributes.set("epsilon", static_cast<float>(*eps));
    ln.inputs = {x, *gamma, *beta};
    ln.outputs = {view.node(*add).outputs[0]};
    for (size_t k : {*sub, *sq, *r2, *add_eps, *sqrt, *div, *mul, *add}) view.remove(k);
  }
  view.compact();
  return Status();
}

}  // namespace modelhost::engine::opt

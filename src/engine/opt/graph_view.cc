#include "engine/opt/graph_view.h"

#include <cmath>
#include <limits>

namespace modelhost::engine::opt {

GraphView::GraphView(ir::Graph& graph) : graph_(graph), removed_(graph.nodes.size(), false) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (const auto& out : graph.nodes[i].outputs) {
      if (!out.empty()) producer_[out] = i;
    }
    for (const auto& in : graph.nodes[i].inputs) {
      if (!in.empty()) consumers_[in].push_back(i);
    }
  }
  for (const auto& o : graph.outputs) outputs_.insert(o.name);
}

std::optional<size_t> GraphView::producer(const std::string& value) const {
  auto it = producer_.find(value);
  if (it == producer_.end() || removed_[it->second]) return std::nullopt;
  return it->second;
}

std::vector<size_t> GraphView::consumers(const std::string& value) const {
  std::vector<size_t> live;
  auto it = consumers_.find(value);
  if (it == consumers_.end()) return live;
  for (size_t i : it->second) {
    if (!removed_[i]) live.push_back(i);
  }
  return live;
}

std::optional<size_t> GraphView::sole_consumer(const std::string& value) const {
  if (is_graph_output(value)) return std::nullopt;
  std::vector<size_t> c = consumers(value);
  if (c.size() != 1) return std::nullopt;
  return c[0];
}

const Tensor* GraphView::weight(const std::string& value) const {
  auto it = graph_.initializers.find(value);
  return it == graph_.initializers.end() ? nullptr : &it->second;
}

std::optional<double> GraphView::scalar(const std::string& value) const {
  const Tensor* t = weight(value);
  if (t == nullptr || t->num_elements() != 1) return std::nullopt;
  if (t->dtype() == DataType::kFloat32) return static_cast<double>(t->data<float>()[0]);
  if (t->dtype() == DataType::kFloat64) return t->data<double>()[0];
  return std::nullopt;
}

bool GraphView::is(size_t i, const char* op_type) const {
  const ir::Node& n = graph_.nodes[i];
  return !removed_[i] && n.domain.empty() && n.op_type == op_type;
}

std::optional<size_t> GraphView::produced_by(const std::string& value,
                                             const char* op_type) const {
  std::optional<size_t> p = producer(value);
  if (p && is(*p, op_type)) return p;
  return std::nullopt;
}

std::string GraphView::add_weight(const std::string& hint, Tensor t) {
  std::string name = hint;
  for (int k = 1; graph_.initializers.count(name) || producer_.count(name); ++k) {
    name = hint + "_" + std::to_string(k);
  }
  graph_.initializers.emplace(name, std::move(t));
  return name;
}

void GraphView::compact() {
  std::vector<ir::Node> kept;
  kept.reserve(graph_.nodes.size());
  for (size_t i = 0; i < graph_.nodes.size(); ++i) {
    if (!removed_[i]) kept.push_back(std::move(graph_.nodes[i]));
  }
  graph_.nodes = std::move(kept);
}

std::optional<FusableActivation> fusable_activation(const GraphView& view, size_t i) {
  const ir::Node& n = view.node(i);
  if (view.removed(i) || !n.domain.empty() || n.inputs.empty() || n.outputs.size() != 1) {
    return std::nullopt;
  }
  const std::string& op = n.op_type;
  auto attr = [&](const char* name, float def) -> std::optional<float> {
    auto v = n.attributes.get_float(name, def);
    if (!v.ok()) return std::nullopt;
    return *v;
  };
  if (n.inputs.size() == 1 && (op == "Relu" || op == "Sigmoid" || op == "Tanh" ||
                               op == "HardSwish")) {
    if (!n.attributes.all().empty()) return std::nullopt;
    return FusableActivation{op, {}};
  }
  if (op == "Gelu" && n.inputs.size() == 1) {
    auto approx = n.attributes.get_string("approximate", "none");
    if (!approx.ok() || *approx != "none") return std::nullopt;
    return FusableActivation{op, {}};
  }
  if (op == "LeakyRelu" && n.inputs.size() == 1) {
    auto alpha = attr("alpha", 0.01f);
    if (!alpha) return std::nullopt;
    return FusableActivation{op, {*alpha}};
  }
  if (op == "HardSigmoid" && n.inputs.size() == 1) {
    auto alpha = attr("alpha", 0.2f), beta = attr("beta", 0.5f);
    if (!alpha || !beta) return std::nullopt;
    return FusableActivation{op, {*alpha, *beta}};
  }
  if (op == "Clip") {
    float lo = -std::numeric_limits<float>::infinity();
    float hi = std::numeric_limits<float>::infinity();
    if (n.opset < 11) {
      auto a = attr("min", lo), b = attr("max", hi);
      if (!a || !b) return std::nullopt;
      lo = *a;
      hi = *b;
    } else {
      // Bounds are optional inputs; each must be a float32 weight to fuse.
      for (size_t k = 1; k < n.inputs.size(); ++k) {
        if (n.inputs[k].empty()) continue;
        const Tensor* t = view.weight(n.inputs[k]);
        if (t == nullptr || t->dtype() != DataType::kFloat32 || t->num_elements() != 1) {
          return std::nullopt;
        }
        (k == 1 ? lo : hi) = t->data<float>()[0];
      }
    }
    return FusableActivation{op, {lo, hi}};
  }
  return std::nullopt;
}

}  // namespace modelhost::engine::opt

// Conv + residual Add + activation fusion: Conv -> [Add(·, Z)] -> [activation] becomes one
// FusedConv (domain com.modelhost; kernel in cpu/conv.cc) computing act(Conv(X, W, B) + Z), the
// sum and activation running as oneDNN post-ops on the convolution's output while it is still
// in cache. The activations are those of cpu/activation.h, plus x * Sigmoid(x) (Swish, the
// activation of EfficientNet) matched as the pair Sigmoid(c), Mul(c, ·). Only values read by the
// next node alone are absorbed, and only float32 Convs whose W is a weight are rewritten — all
// of them, with or without something to absorb, since FusedConv also keeps W packed in the
// layout oneDNN's fastest kernels want (plain Conv must assume W may change between runs).
#include "engine/opt/graph_view.h"
#include "engine/opt/pass.h"

namespace modelhost::engine::opt {
namespace {

// Sigmoid(v) and Mul(v, Sigmoid(v)) reading `v` and nothing else: returns the Mul's index.
std::optional<size_t> swish_of(const GraphView& view, const std::string& v) {
  if (view.is_graph_output(v)) return std::nullopt;
  std::vector<size_t> readers = view.consumers(v);
  if (readers.size() != 2) return std::nullopt;
  for (int first = 0; first < 2; ++first) {
    const size_t sig = readers[static_cast<size_t>(first)];
    const size_t mul = readers[static_cast<size_t>(1 - first)];
    if (!view.is(sig, "Sigmoid") || !view.is(mul, "Mul")) continue;
    const std::string& s = view.node(sig).outputs[0];
    auto only = view.sole_consumer(s);
    if (!only || *only != mul) continue;
    const auto& in = view.node(mul).inputs;
    if ((in[0] == v && in[1] == s) || (in[0] == s && in[1] == v)) return mul;
  }
  return std::nullopt;
}

bool float32_conv(const GraphView& view, const ir::Node& conv) {
  const Tensor* w = conv.inputs.size() > 1 ? view.weight(conv.inputs[1]) : nullptr;
  return w != nullptr && w->dtype() == DataType::kFloat32;
}

}  // namespace

Status fuse_conv_activation(ir::Graph& graph) {
  GraphView view(graph);
  bool fused = false;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (!view.is(i, "Conv")) continue;
    ir::Node& conv = view.node(i);
    if (conv.outputs.size() != 1 || !float32_conv(view, conv)) continue;
    std::string out = conv.outputs[0];
    std::vector<size_t> absorbed;
    std::string z;
    // Residual: Add(out, Z) or Add(Z, out) with Z computed at run time.
    if (auto add = view.sole_consumer(out); add && view.is(*add, "Add")) {
      const auto& in = view.node(*add).inputs;
      const std::string& other = in[0] == out ? in[1] : in[0];
      if (in.size() == 2 && in[0] != in[1] && view.weight(other) == nullptr) {
        z = other;
        absorbed.push_back(*add);
        out = view.node(*add).outputs[0];
      }
    }
    FusableActivation act;
    if (auto next = view.sole_consumer(out)) {
      if (auto a = fusable_activation(view, *next)) {
        act = *a;
        absorbed.push_back(*next);
        out = view.node(*next).outputs[0];
      }
    } else if (auto mul = swish_of(view, out)) {
      act.name = "Swish";
      absorbed.push_back(*view.producer(view.node(*mul).inputs[0] == out
                                            ? view.node(*mul).inputs[1]
                                            : view.node(*mul).inputs[0]));
      absorbed.push_back(*mul);
      out = view.node(*mul).outputs[0];
    }
    // A Conv with nothing to absorb still becomes a FusedConv: that kernel knows W is a weight
    // and keeps it packed in oneDNN's blocked layout.
    conv.domain = ir::kModelhostDomain;
    conv.op_type = "FusedConv";
    conv.opset = 1;
    if (!z.empty()) {
      conv.inputs.resize(4);
      conv.inputs[3] = z;
    }
    if (!act.name.empty()) {
      conv.attributes.set("activation", act.name);
      if (!act.params.empty()) conv.attributes.set("activation_params", act.params);
    }
    conv.outputs[0] = out;
    for (size_t k : absorbed) view.remove(k);
    fused = true;
  }
  if (fused) graph.opsets[ir::kModelhostDomain] = 1;
  view.compact();
  return Status();
}

}  // namespace modelhost::engine::opt

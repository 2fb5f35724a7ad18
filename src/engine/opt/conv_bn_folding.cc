// Conv + BatchNormalization folding: an inference-mode BatchNormalization right after a Conv with
// weight inputs is a per-output-channel scale and shift, which goes into the Conv's weights and
// bias:  s = scale / sqrt(var + eps);  W' = W * s (per output channel);  B' = (B - mean) * s + beta.
// The folded weights are new initializers (W may be shared with another Conv). Computed in
// double, so the folded Conv matches Conv followed by BatchNormalization within float rounding.
#include <cmath>

#include "engine/opt/graph_view.h"
#include "engine/opt/pass.h"

namespace modelhost::engine::opt {
namespace {

// The BatchNormalization parameters as doubles, when they are float32 weights of length m.
std::optional<std::vector<double>> channel_param(const GraphView& view, const std::string& name,
                                                 int64_t m) {
  const Tensor* t = view.weight(name);
  if (t == nullptr || t->dtype() != DataType::kFloat32 || t->rank() != 1 || t->shape()[0] != m) {
    return std::nullopt;
  }
  return std::vector<double>(t->data<float>(), t->data<float>() + m);
}

}  // namespace

Status fold_conv_batch_norm(ir::Graph& graph) {
  GraphView view(graph);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (!view.is(i, "Conv")) continue;
    ir::Node& conv = view.node(i);
    if (conv.outputs.size() != 1 || conv.inputs.size() < 2) continue;
    const Tensor* w = view.weight(conv.inputs[1]);
    if (w == nullptr || w->dtype() != DataType::kFloat32 || w->rank() < 3) continue;
    const Tensor* b = conv.inputs.size() > 2 && !conv.inputs[2].empty()
                          ? view.weight(conv.inputs[2])
                          : nullptr;
    if (conv.inputs.size() > 2 && !conv.inputs[2].empty() && b == nullptr) continue;
    auto bn_index = view.sole_consumer(conv.outputs[0]);
    if (!bn_index || !view.is(*bn_index, "BatchNormalization")) continue;
    const ir::Node& bn = view.node(*bn_index);
    // Inference form only: one output, X is the Conv's output, no training_mode.
    if (bn.inputs.size() != 5 || bn.outputs.size() != 1 || bn.inputs[0] != conv.outputs[0]) {
      continue;
    }
    auto training = bn.attributes.get_int("training_mode", 0);
    auto eps = bn.attributes.get_float("epsilon", 1e-5f);
    if (!training.ok() || *training != 0 || !eps.ok()) continue;
    const int64_t m = w->shape()[0];
    auto scale = channel_param(view, bn.inputs[1], m);
    auto beta = channel_param(view, bn.inputs[2], m);
    auto mean = channel_param(view, bn.inputs[3], m);
    auto var = channel_param(view, bn.inputs[4], m);
    if (!scale || !beta || !mean || !var) continue;
    if (b != nullptr && (b->dtype() != DataType::kFloat32 || b->num_elements() != m)) continue;

    const int64_t per_channel = w->num_elements() / m;
    Tensor w2 = Tensor::allocate(DataType::kFloat32, w->shape());
    Tensor b2 = Tensor::allocate(DataType::kFloat32, {m});
    const float* pw = w->data<float>();
    float* pw2 = w2.mutable_data<float>();
    float* pb2 = b2.mutable_data<float>();
    for (int64_t c = 0; c < m; ++c) {
      const size_t k = static_cast<size_t>(c);
      const double s = (*scale)[k] / std::sqrt((*var)[k] + static_cast<double>(*eps));
      for (int64_t j = 0; j < per_channel; ++j) {
        pw2[c * per_channel + j] = static_cast<float>(pw[c * per_channel + j] * s);
      }
      const double bias = b != nullptr ? static_cast<double>(b->data<float>()[c]) : 0.0;
      pb2[c] = static_cast<float>((bias - (*mean)[k]) * s + (*beta)[k]);
    }
    const std::string w_name = view.add_weight(conv.inputs[1] + "_bn", std::move(w2));
    const std::string b_name =
        view.add_weight((b != nullptr ? conv.inputs[2] : conv.outputs[0]) + "_bn_bias",
                        std::move(b2));
    conv.inputs.resize(3);
    conv.inputs[1] = w_name;
    conv.inputs[2] = b_name;
    conv.outputs[0] = bn.outputs[0];
    view.remove(*bn_index);
  }
  view.compact();
  return Status();
}

}  // namespace modelhost::engine::opt

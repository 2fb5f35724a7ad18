// MatMul + bias + activation fusion: MatMul(A, W) -> Add(·, bias) -> [activation], with W a 2-D
// float32 weight and bias a 1-D weight of W's column count, becomes one FusedMatMul (domain
// com.modelhost; kernel in cpu/fused_matmul.cc). Instead of an activation, a following residual
// Add of a run-time value Z (a transformer block's skip connection) is absorbed as a fourth
// input: Y = A x W + bias + Z. This is the shape of every linear layer a
// PyTorch or Hugging Face export produces; the fused kernel folds A's leading dims into one GEMM
// that accumulates onto the bias rows, then applies the activation in the same pass over Y.
#include "engine/opt/graph_view.h"
#include "engine/opt/pass.h"

namespace modelhost::engine::opt {

Status fuse_matmul_bias(ir::Graph& graph) {
  GraphView view(graph);
  bool fused = false;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (!view.is(i, "MatMul")) continue;
    ir::Node& mm = view.node(i);
    const Tensor* w = view.weight(mm.inputs[1]);
    if (w == nullptr || w->dtype() != DataType::kFloat32 || w->rank() != 2) continue;
    auto add = view.sole_consumer(mm.outputs[0]);
    if (!add || !view.is(*add, "Add")) continue;
    const auto& in = view.node(*add).inputs;
    const std::string& bias_name = in[0] == mm.outputs[0] ? in[1] : in[0];
    const Tensor* bias = view.weight(bias_name);
    if (bias == nullptr || bias->dtype() != DataType::kFloat32 || bias->rank() != 1 ||
        bias->shape()[0] != w->shape()[1]) {
      continue;
    }
    std::string out = view.node(*add).outputs[0];
    view.remove(*add);
    // The residual of a transformer block: Add(out, Z) with Z computed at run time and of the
    // output's shape (checked by the kernel, which otherwise broadcasts).
    std::string z;
    if (auto res = view.sole_consumer(out); res && view.is(*res, "Add")) {
      const auto& rin = view.node(*res).inputs;
      const std::string& other = rin[0] == out ? rin[1] : rin[0];
      if (rin.size() == 2 && rin[0] != rin[1] && view.weight(other) == nullptr) {
        z = other;
        out = view.node(*res).outputs[0];
        view.remove(*res);
      }
    }
    if (auto next = view.sole_consumer(out); next && z.empty()) {
      if (auto act = fusable_activation(view, *next)) {
        mm.attributes.set("activation", act->name);
        if (!act->params.empty()) mm.attributes.set("activation_params", act->params);
        out = view.node(*next).outputs[0];
        view.remove(*next);
      }
    }
    mm.domain = ir::kModelhostDomain;
    mm.op_type = "FusedMatMul";
    mm.opset = 1;
    mm.inputs.push_back(bias_name);
    if (!z.empty()) mm.inputs.push_back(z);
    mm.outputs[0] = out;
    fused = true;
  }
  if (fused) graph.opsets[ir::kModelhostDomain] = 1;
  view.compact();
  return Status();
}

}  // namespace modelhost::engine::opt

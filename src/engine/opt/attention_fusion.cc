// Attention fusion: the scaled dot-product attention that PyTorch exports of Hugging Face BERT
// models (BERT, DistilBERT, MiniLM, ...) spell out per layer,
//   Qt = Transpose(Q, [0,2,1,3])   Kt = Transpose(K, [0,2,3,1])   Vt = Transpose(V, [0,2,1,3])
//   S = MatMul(Qt, Kt) [/ c | * c] [+ mask];  P = Softmax(S, axis -1)
//   Y = Transpose(MatMul(P, Vt), [0,2,1,3])
// with Q, K, V the [B, S, H, D] reshapes of the projections, becomes one FusedAttention (domain
// com.modelhost; kernel in cpu/fused_attention.cc) reading Q, K, V and the mask and producing Y:
// no transposed copy of Q, K, V or the context, no [B, H, S, S] tensor per op. Every
// intermediate must be read by the next node alone; the scale must be a scalar weight.
#include <cmath>

#include "engine/opt/graph_view.h"
#include "engine/opt/pass.h"

namespace modelhost::engine::opt {
namespace {

// The input of `value`'s producer when it is a Transpose with `perm` read by `reader` alone.
std::optional<std::pair<size_t, std::string>> transposed(const GraphView& view,
                                                         const std::string& value,
                                                         std::vector<int64_t> perm,
                                                         size_t reader) {
  auto t = view.produced_by(value, "Transpose");
  if (!t || view.sole_consumer(value) != reader) return std::nullopt;
  auto p = view.node(*t).attributes.get_ints("perm", {});
  if (!p.ok() || *p != perm) return std::nullopt;
  return std::make_pair(*t, view.node(*t).inputs[0]);
}

}  // namespace

Status fuse_attention(ir::Graph& graph) {
  GraphView view(graph);
  bool fused = false;
  for (size_t sm = 0; sm < graph.nodes.size(); ++sm) {
    if (!view.is(sm, "Softmax")) continue;
    auto axis = view.node(sm).attributes.get_int("axis", -1);
    if (!axis.ok() || (*axis != -1 && *axis != 3)) continue;
    if (*axis == 3 && view.node(sm).opset < 13) continue;  // old Softmax flattens from axis
    std::vector<size_t> absorbed = {sm};
    // Walk back from the Softmax: [Add mask] <- [Div | Mul scale] <- MatMul(Qt, Kt).
    std::string s = view.node(sm).inputs[0];
    std::string mask;
    float scale = 1.f;
    size_t reader = sm;
    if (auto add = view.produced_by(s, "Add"); add && view.sole_consumer(s) == reader) {
      const auto& in = view.node(*add).inputs;
      // The scores side is MatMul, or Div/Mul of a MatMul; the other operand is the mask.
      auto is_scores = [&](const std::string& value) {
        std::optional<size_t> p = view.producer(value);
        if (p && (view.is(*p, "Div") || view.is(*p, "Mul"))) {
          p = view.producer(view.node(*p).inputs[0]);
        }
        return p && view.is(*p, "MatMul");
      };
      const bool first_is_scores = is_scores(in[0]);
      if (!first_is_scores && !is_scores(in[1])) continue;
      s = first_is_scores ? in[0] : in[1];
      mask = first_is_scores ? in[1] : in[0];
      absorbed.push_back(*add);
      reader = *add;
    }
    for (const char* op : {"Div", "Mul"}) {
      auto n = view.produced_by(s, op);
      if (!n || view.sole_consumer(s) != reader) continue;
      auto c = view.scalar(view.node(*n).inputs[1]);
      if (!c || *c == 0) continue;
      scale = static_cast<float>(std::string(op) == "Div" ? 1.0 / *c : *c);
      absorbed.push_back(*n);
      reader = *n;
      s = view.node(*n).inputs[0];
      break;
    }
    auto qk = view.produced_by(s, "MatMul");
    if (!qk || view.sole_consumer(s) != reader) continue;
    auto q = transposed(view, view.node(*qk).inputs[0], {0, 2, 1, 3}, *qk);
    auto k = transposed(view, view.node(*qk).inputs[1], {0, 2, 3, 1}, *qk);
    if (!q || !k) continue;
    // Forward from the Softmax: MatMul(P, Vt) -> Transpose [0,2,1,3].
    auto pv = view.sole_consumer(view.node(sm).outputs[0]);
    if (!pv || !view.is(*pv, "MatMul") || view.node(*pv).inputs[0] != view.node(sm).outputs[0]) {
      continue;
    }
    auto v = transposed(view, view.node(*pv).inputs[1], {0, 2, 1, 3}, *pv);
    auto out_t = view.sole_consumer(view.node(*pv).outputs[0]);
    if (!v || !out_t || !view.is(*out_t, "Transpose")) continue;
    auto perm = view.node(*out_t).attributes.get_ints("perm", {});
    if (!perm.ok() || *perm != std::vector<int64_t>{0, 2, 1, 3}) continue;
    absorbed.insert(absorbed.end(), {*qk, q->first, k->first, *pv, v->first});
    // The FusedAttention takes the place of the output Transpose.
    ir::Node& fa = view.node(*out_t);
    fa.op_type = "FusedAttention";
    fa.domain = ir::kModelhostDomain;
    fa.opset = 1;
    fa.attributes = ir::Attributes();
    fa.attributes.set("scale", scale);
    fa.inputs = {q->second, k->second, v->second};
    if (!mask.empty()) fa.inputs.push_back(mask);
    for (size_t n : absorbed) view.remove(n);
    fused = true;
  }
  if (fused) graph.opsets[ir::kModelhostDomain] = 1;
  view.compact();
  return Status();
}

}  // namespace modelhost::engine::opt
